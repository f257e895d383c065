// Keys and nats-server configs for logins by key, made with the official @nats-io/nkeys and
// @nats-io/jwt (no nsc here): a user listed by nkey, and operator mode (operator, account and user
// JWTs, a memory resolver preloaded with the accounts) with JetStream on for the account.
import { createAccount, createOperator, createUser, type KeyPair } from "@nats-io/nkeys";
import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from "@nats-io/jwt";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A fresh user key: its seed text (SU…) and public key (U…). */
export function userKey(): { seed: string; publicKey: string; kp: KeyPair } {
  const kp = createUser();
  return { seed: text(kp.getSeed()), publicKey: kp.getPublicKey(), kp };
}

/** A nats-server config whose only users are these nkeys (flags still add -js, port, store). */
export function nkeyServerConfig(publicKeys: string[]): string {
  return `authorization { users = [ ${publicKeys.map((k) => `{ nkey: ${k} }`).join(", ")} ] }\n`;
}

/** Unlimited, JetStream included (a JWT's missing limits mean "none allowed" to the server). */
const UNLIMITED = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
};

export interface OperatorSetup {
  /** nats-server config text: operator JWT, system account, memory resolver with both accounts. */
  config: string;
  /** A .creds file's text for a new user of the account; `expSeconds` sets its JWT's expiry. */
  creds(name: string, o?: { expSeconds?: number }): Promise<string>;
}

/** An operator with one application account (JetStream on) and a system account. */
export async function operatorSetup(): Promise<OperatorSetup> {
  const operator = createOperator();
  const account = createAccount();
  const system = createAccount();
  const opJwt = await encodeOperator("pf-op", operator, {
    system_account: system.getPublicKey(),
  });
  const accJwt = await encodeAccount("pf-app", account, { limits: UNLIMITED }, {
    signer: operator,
  });
  const sysJwt = await encodeAccount("SYS", system, {}, { signer: operator });
  const config = [
    `operator: ${opJwt}`,
    `system_account: ${system.getPublicKey()}`,
    "resolver: MEMORY",
    "resolver_preload: {",
    `  ${account.getPublicKey()}: ${accJwt}`,
    `  ${system.getPublicKey()}: ${sysJwt}`,
    "}",
    "",
  ].join("\n");
  return {
    config,
    async creds(name, o = {}) {
      const user = createUser();
      const exp = o.expSeconds === undefined ? undefined : o.expSeconds;
      const jwt = await encodeUser(name, user, account, {}, { exp });
      return text(fmtCreds(jwt, user));
    },
  };
}
