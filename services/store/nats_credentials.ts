// NATS logins by key (NATS_CREDS: a .creds file with a user JWT and its nkey seed; NATS_NKEY_SEED_FILE:
// a bare user nkey seed), read and checked once at start: a broken or mismatched file is refused
// naming its setting, instead of surfacing as a vague handshake failure or a wait that never ends.
// The seed itself never goes into a message or a log line.
import { type Authenticator, credsAuthenticator, nkeyAuthenticator } from "@nats-io/transport-node";
import { fromSeed } from "@nats-io/nkeys";
import { decode as decodeJwt } from "@nats-io/jwt";
import { log } from "@/services/logger.ts";

export class NatsCredentialsError extends Error {}

export interface NatsKeyFiles {
  /** NATS_CREDS: a .creds file (JWT + nkey seed), as `nsc generate creds` writes it. */
  creds?: string;
  /** NATS_NKEY_SEED_FILE: a file holding one user nkey seed (SU…), as `nk -gen user` writes it. */
  nkeySeed?: string;
}

/**
 * The client's authenticator for the key files given, or undefined when none is. The file is
 * checked now (a broken one ends the start) and read again at every connect, so renewed
 * credentials need no restart; a renewal that does not pass the check is logged and the last good
 * content is used.
 */
export async function natsKeyAuthenticator(
  f: NatsKeyFiles,
  now: () => number = Date.now,
): Promise<Authenticator | undefined> {
  if (f.creds) {
    const path = f.creds;
    const check = (text: string) => {
      checkCreds(path, text, now());
      return text;
    };
    const current = reread("NATS_CREDS", path, check(await readKeyFile("NATS_CREDS", path)), check);
    return credsAuthenticator(() => new TextEncoder().encode(current()));
  }
  if (f.nkeySeed) {
    const path = f.nkeySeed;
    const check = (text: string) => {
      const seed = seedIn(text);
      if (!seed) {
        throw new NatsCredentialsError(
          `NATS_NKEY_SEED_FILE (${path}) holds no nkey seed: expected one line starting with SU (a user seed, as "nk -gen user" writes it)`,
        );
      }
      userKeyOf("NATS_NKEY_SEED_FILE", path, seed);
      return seed;
    };
    const first = check(await readKeyFile("NATS_NKEY_SEED_FILE", path));
    const current = reread("NATS_NKEY_SEED_FILE", path, first, check);
    return nkeyAuthenticator(() => new TextEncoder().encode(current()));
  }
  return undefined;
}

/** The checked content of a key file as it is now, or the last good one (logged once a change). */
function reread(
  setting: string,
  path: string,
  first: string,
  check: (text: string) => string,
): () => string {
  let good = first;
  let complained = "";
  return () => {
    try {
      good = check(Deno.readTextFileSync(path));
      complained = "";
    } catch (e) {
      const reason = e instanceof NatsCredentialsError
        ? e.message
        : `${setting} (${path}) cannot be read: ${(e as Error).message}`;
      if (reason !== complained) {
        log.warn(`${reason}; logging in with its last good content`, { setting });
        complained = reason;
      }
    }
    return good;
  };
}

async function readKeyFile(setting: string, path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    throw new NatsCredentialsError(`${setting} (${path}) cannot be read: ${(e as Error).message}`);
  }
}

/** The seed of a seed file: its first line starting with S (comments and blank lines allowed). */
function seedIn(text: string): string | null {
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t.startsWith("S")) return t;
  }
  return null;
}

/** The public user key (U…) of a seed; refuses a seed that is no user seed. */
function userKeyOf(setting: string, path: string, seed: string): string {
  let key: string;
  try {
    key = fromSeed(new TextEncoder().encode(seed)).getPublicKey();
  } catch (e) {
    throw new NatsCredentialsError(
      `${setting} (${path}) holds no valid nkey seed (${(e as Error).message})`,
    );
  }
  if (!key.startsWith("U")) {
    throw new NatsCredentialsError(
      `${setting} (${path}) holds a seed of kind ${
        key[0]
      }, not a user seed (SU…): give the user's seed, not the operator's or account's`,
    );
  }
  return key;
}

/** The blocks of a .creds file, in the client's own format (-----BEGIN … -----, value, -----END). */
const CREDS_BLOCK = /\s*(?:(?:[-]{3,}[^\n]*[-]{3,}\n)(.+)(?:\n\s*[-]{3,}[^\n]*[-]{3,}\n))/ig;

/** A .creds file must hold a user JWT and the seed of that very user, and must not be expired. */
function checkCreds(path: string, text: string, nowMs: number) {
  const blocks = [...text.matchAll(CREDS_BLOCK)].map((m) => m[1].trim());
  if (blocks.length < 2) {
    throw new NatsCredentialsError(
      `NATS_CREDS (${path}) is not a NATS credentials file: expected a "BEGIN NATS USER JWT" block and a "BEGIN USER NKEY SEED" block, as "nsc generate creds" writes them`,
    );
  }
  const [jwt, seed] = blocks;
  let claims: { sub?: string; exp?: number; nats?: { type?: string } };
  try {
    claims = decodeJwt(jwt);
  } catch (e) {
    throw new NatsCredentialsError(
      `NATS_CREDS (${path}) holds no valid user JWT (${(e as Error).message})`,
    );
  }
  if (claims.nats?.type && claims.nats.type !== "user") {
    throw new NatsCredentialsError(
      `NATS_CREDS (${path}) holds a JWT of type ${claims.nats.type}, not a user JWT`,
    );
  }
  const key = userKeyOf("NATS_CREDS", path, seed);
  if (claims.sub !== key) {
    throw new NatsCredentialsError(
      `NATS_CREDS (${path}): its seed is not the key of its JWT's user (${claims.sub}); the file was put together from two users`,
    );
  }
  if (claims.exp && claims.exp * 1000 <= nowMs) {
    throw new NatsCredentialsError(
      `NATS_CREDS (${path}): its user JWT expired at ${
        new Date(claims.exp * 1000).toISOString()
      }; issue new credentials (nsc generate creds)`,
    );
  }
}
