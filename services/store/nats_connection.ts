// One NATS connection per process, from the settings users give (NATS_URL, NATS_USER/NATS_PASSWORD,
// NATS_CREDS or NATS_NKEY_SEED_FILE, NATS_TLS_*), through the official client. Reconnects forever once connected: a
// broker restart is not fatal; a refused login or TLS handshake at start is, with its reason.
import {
  connect,
  type ConnectionOptions,
  errors,
  type NatsConnection,
} from "@nats-io/transport-node";
import { log } from "@/services/logger.ts";
import {
  checkTlsFiles,
  explainTlsError,
  type NatsServerAddress,
  NatsTlsError,
  type NatsTlsFiles,
  natsTlsOptions,
  probeServer,
  serverAddresses,
} from "./nats_tls.ts";
import { NatsCredentialsError, natsKeyAuthenticator } from "./nats_credentials.ts";

export interface NatsSettings {
  /** One or more server URLs, comma-separated (nats://host:4222, tls://host:4222). */
  url: string;
  user?: string;
  password?: string;
  /** Path of a .creds file (JWT + nkey seed), as `nsc` writes it. */
  creds?: string;
  /** Path of a file holding a user nkey seed (SU…), for a server that lists users by nkey. */
  nkeySeed?: string;
  /** TLS: the CA to trust, and a client certificate and key when the server asks for one. */
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Shows in the server's connection list (monitoring). */
  name?: string;
  /** Wait for a first server instead of failing (a role process may start before its NATS). */
  waitForServer?: boolean;
}

/** After this long without a connection, one plain probe looks for a refused TLS handshake. */
const PROBE_AFTER_MS = 2000;
/** Between tries while waiting for a first server. */
const RETRY_MS = 1000;

export async function connectNats(s: NatsSettings): Promise<NatsConnection> {
  guardStraySocketErrors();
  const servers = s.url.split(",").map((u) => u.trim()).filter(Boolean);
  const addresses = serverAddresses(servers);
  const files: NatsTlsFiles = { tlsCa: s.tlsCa, tlsCert: s.tlsCert, tlsKey: s.tlsKey };
  await checkTlsFiles(files);
  const authenticator = await natsKeyAuthenticator({ creds: s.creds, nkeySeed: s.nkeySeed });
  const options: ConnectionOptions = {
    servers,
    name: s.name ?? "pingfold",
    user: s.user || undefined,
    pass: s.password || undefined,
    authenticator,
    tls: natsTlsOptions(files, addresses),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    // Notice a silently cut link (a remote site's scanner) within ~10 s, not NATS's 4 minutes.
    pingInterval: 5000,
    maxPingOut: 2,
    // Without this, each request (every KV write and read is one) makes two Error objects up
    // front for their stack traces: a fifth of the ingest role's CPU at 2,000 host states a second.
    noAsyncTraces: true,
    // Waiting for a first server is done below, where a refused login or TLS handshake ends the
    // wait with its reason (the client's own wait retries those forever, saying nothing). Each try
    // dials every server of NATS_URL once; the client then leaves out those that were down, until
    // the cluster announces them again (servers announce their peers unless no_advertise is set).
    waitOnFirstConnect: false,
  };
  for (let tries = 1;; tries++) {
    try {
      const nc = await connectOnce(options, addresses, files);
      if (options.tls) reportTlsRefusals(nc, addresses, files);
      return nc;
    } catch (e) {
      if (!s.waitForServer || !isNotUpYet(e)) throw e;
      if (tries === 1) {
        log.info("waiting for a NATS server", {
          servers: addresses.map((a) => `${a.host}:${a.port}`), // NATS_URL may hold a password
          reason: (e as Error).message,
        });
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}

/**
 * One connect, each server of the list tried once. A TLS failure is rethrown in words; when the
 * connect hangs (a server refuses our client certificate only after the handshake, and the client
 * then waits for its timeout), a probe finds that alert instead of waiting 20 s for "timeout".
 */
async function connectOnce(
  options: ConnectionOptions,
  addresses: NatsServerAddress[],
  files: NatsTlsFiles,
): Promise<NatsConnection> {
  const connecting = connect(options);
  const outcome = connecting.then((nc) => ({ nc }), (error: unknown) => ({ error }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<"slow">((r) => timer = setTimeout(() => r("slow"), PROBE_AFTER_MS));
  const first = await Promise.race([outcome, slow]);
  clearTimeout(timer);
  if (first !== "slow") {
    if ("nc" in first) return first.nc;
    throw await explainFailure(first.error, addresses, files);
  }
  const probing = tlsRefusal(addresses, files);
  const next = await Promise.race([outcome, probing.then((refusal) => ({ refusal }))]);
  if ("nc" in next) return next.nc;
  if ("refusal" in next && next.refusal) {
    // The client keeps trying until its timeout; a late connection is closed, not leaked.
    connecting.then((nc) => nc.close(), () => {});
    throw next.refusal;
  }
  const last = await outcome;
  if ("nc" in last) return last.nc;
  throw explainTlsError(last.error, files, only(addresses)) ?? await probing ?? last.error;
}

/** While reconnecting, how often at most a probe looks for a refused TLS handshake. */
const REPROBE_MS = 30_000;

/**
 * After the first connect the client retries forever and keeps the reason of a failed try to
 * itself: a server that now shows a certificate our NATS_TLS_CA did not sign (a renewed server
 * certificate from another CA), or that refuses our client certificate, would be retried silently
 * for good. While the link is down, a probe now and then finds such a refusal; each new one is
 * logged once as an error naming the setting, and its end once when the link is back.
 */
function reportTlsRefusals(
  nc: NatsConnection,
  addresses: NatsServerAddress[],
  files: NatsTlsFiles,
) {
  (async () => {
    let downSince: number | null = null;
    let probedAt = 0;
    let reported = "";
    for await (const s of nc.status()) {
      if (s.type === "disconnect") {
        downSince ??= Date.now();
      } else if (s.type === "reconnect") {
        if (reported) log.info("NATS TLS handshake accepted again", { server: s.server });
        downSince = null;
        reported = "";
      } else if (s.type === "reconnecting" && downSince !== null) {
        const now = Date.now();
        if (now - downSince < PROBE_AFTER_MS || now - probedAt < REPROBE_MS) continue;
        probedAt = now;
        const refusal = await tlsRefusal(addresses, files);
        log.debug("NATS reconnect: looked for a TLS refusal", { refused: Boolean(refusal) });
        if (refusal && refusal.message !== reported && downSince !== null) {
          log.error(`NATS reconnect refused: ${refusal.message}`, {
            servers: addresses.map((a) => `${a.host}:${a.port}`),
          });
          reported = refusal.message;
        }
      }
    }
  })().catch(() => {});
}

/** The error to report: a TLS failure in words (thrown or found by a probe), else the error. */
async function explainFailure(
  e: unknown,
  addresses: NatsServerAddress[],
  files: NatsTlsFiles,
): Promise<unknown> {
  const explained = explainTlsError(e, files, only(addresses));
  if (explained) return explained;
  // Nothing listens, or the server answered (a refused login): no handshake to look at.
  if (isRefusedDial(e) || !isNotUpYet(e)) return e;
  return await tlsRefusal(addresses, files) ?? e;
}

/** A TLS refusal found by probing each server, in words; null if none refused TLS. */
async function tlsRefusal(
  addresses: NatsServerAddress[],
  files: NatsTlsFiles,
): Promise<NatsTlsError | null> {
  for (const a of addresses) {
    const r = await probeServer(a, files, { peers: addresses });
    const refusal = r.kind === "tls_failed" ? explainTlsError(r.error, files, a) : null;
    if (refusal) return refusal;
  }
  return null;
}

/** The server a thrown error is about, when NATS_URL names just one. */
const only = (addresses: NatsServerAddress[]) => addresses.length === 1 ? addresses[0] : undefined;

function isRefusedDial(e: unknown): boolean {
  return e instanceof errors.ConnectionError && e.message === "connection refused";
}

/** A server not up (yet), as opposed to one that refused us: worth waiting for. */
function isNotUpYet(e: unknown): boolean {
  if (e instanceof errors.AuthorizationError) return false;
  if (e instanceof errors.UserAuthenticationExpiredError) return false;
  if (e instanceof errors.InvalidArgumentError) return false;
  if (e instanceof NatsTlsError) return false;
  if (e instanceof NatsCredentialsError) return false;
  return !/authori[sz]ation|authentication|permission/i.test((e as Error)?.message ?? "");
}

let guarded = false;

/**
 * When a server closes a connection (a refused login, a broker restart), the NATS transport
 * removes its socket's listeners and destroys it, but Deno can still deliver that socket's read
 * error (ECONNRESET, EPIPE) a tick later. With no listener left, Node's rules make it an uncaught
 * error that ends the process before the client reports why it closed (a wrong password then
 * exits with "read ECONNRESET" instead of a message naming NATS_PASSWORD, and a scanner would die
 * on a broker restart it should ride out). A TLS alert has the same fate when it arrives in the
 * moment the transport swaps its listeners after the handshake (a server refusing our client
 * certificate sends it just then). Such a late error of a socket nobody listens to any more
 * carries no news (connectNats finds the refusal itself), so it is logged and dropped; every
 * other uncaught error still ends the process.
 */
function guardStraySocketErrors() {
  if (guarded) return;
  guarded = true;
  globalThis.addEventListener("error", (ev) => {
    const e = ev.error as { code?: unknown; syscall?: unknown; message?: unknown } | null;
    const reset = (e?.code === "ECONNRESET" || e?.code === "EPIPE") &&
      typeof e.syscall === "string";
    const tlsAlert = typeof e?.code === "string" && e.code.startsWith("ERR_SSL_");
    if (e && (reset || tlsAlert)) {
      ev.preventDefault();
      log.debug("dropped a late socket error after its connection closed", {
        code: e.code,
        syscall: e.syscall,
        message: e.message,
      });
    }
  });
}
