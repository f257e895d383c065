// TLS towards NATS (NATS_TLS_CA, NATS_TLS_CERT, NATS_TLS_KEY): the client's options, a server
// identity check that also works for servers given by IP address, and why a handshake failed,
// said in words that name the setting to fix.
import net from "node:net";
import tls from "node:tls";
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { TlsOptions } from "@nats-io/transport-node";

export interface NatsTlsFiles {
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** One server of NATS_URL, as the client dials it. */
export interface NatsServerAddress {
  url: string;
  host: string;
  port: number;
  /** tls:// (the client insists on TLS even if the server would talk plain). */
  tlsScheme: boolean;
}

/** A TLS setting or handshake that cannot work: waiting for the server would not help. */
export class NatsTlsError extends Error {}

type IdentityCheck = (host: string, cert: tls.PeerCertificate) => Error | undefined;

export function serverAddresses(urls: string[]): NatsServerAddress[] {
  return urls.flatMap((url) => {
    const m = /^(nats|tls):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?/i.exec(url);
    if (!m) return []; // ws:// and wss:// are not dialled by this client
    return [{
      url,
      host: m[2].replace(/^\[|\]$/g, ""),
      port: m[3] ? Number(m[3]) : 4222,
      tlsScheme: m[1].toLowerCase() === "tls",
    }];
  });
}

/**
 * Reads and checks the files before any connection, so that a wrong file is named as such (Deno's
 * TLS reports a key that does not fit its certificate as "unsupported protocol").
 */
export async function checkTlsFiles(f: NatsTlsFiles): Promise<void> {
  const read = async (setting: string, path: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch (e) {
      throw new NatsTlsError(`${setting} (${path}) cannot be read: ${(e as Error).message}`);
    }
  };
  if (f.tlsCa && !/-----BEGIN CERTIFICATE-----/.test(await read("NATS_TLS_CA", f.tlsCa))) {
    throw new NatsTlsError(
      `NATS_TLS_CA (${f.tlsCa}) holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  }
  if (!f.tlsCert || !f.tlsKey) return;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(await read("NATS_TLS_CERT", f.tlsCert));
  } catch (e) {
    if ((e as Error).message.startsWith("NATS_TLS_CERT")) throw e;
    throw new NatsTlsError(`NATS_TLS_CERT (${f.tlsCert}) holds no PEM certificate`);
  }
  let fits: boolean;
  try {
    fits = cert.checkPrivateKey(createPrivateKey(await read("NATS_TLS_KEY", f.tlsKey)));
  } catch (e) {
    if ((e as Error).message.startsWith("NATS_TLS_KEY")) throw e;
    throw new NatsTlsError(`NATS_TLS_KEY (${f.tlsKey}) holds no PEM private key`);
  }
  if (!fits) {
    throw new NatsTlsError(
      `NATS_TLS_KEY (${f.tlsKey}) is not the private key of the certificate in NATS_TLS_CERT (${f.tlsCert})`,
    );
  }
}

/**
 * The client's TLS options, or none when neither NATS_URL (tls://) nor a NATS_TLS_* setting asks
 * for TLS (a server that requires it still gets it, with the system's CAs). The files stay paths:
 * the client reads them again at every reconnect, so renewed certificates are picked up.
 */
export function natsTlsOptions(
  f: NatsTlsFiles,
  servers: NatsServerAddress[],
): TlsOptions | undefined {
  if (!f.tlsCa && !f.tlsCert && !servers.some((s) => s.tlsScheme)) return undefined;
  const options: TlsOptions & { checkServerIdentity: IdentityCheck } = {
    caFile: f.tlsCa,
    certFile: f.tlsCert,
    keyFile: f.tlsKey,
    checkServerIdentity: identityCheck(servers),
  };
  return options;
}

/**
 * A server given by IP address has no name for SNI (RFC 6066 forbids an address there), and the
 * client upgrades an existing socket, so node:tls checks the certificate against "localhost"
 * (nodejs/node#27943; Deno does the same). Then the certificate must name one of NATS_URL's
 * addresses instead (an IP subject alternative name); a server given by name is checked by name.
 */
function identityCheck(servers: NatsServerAddress[]): IdentityCheck {
  const addresses = servers.map((s) => s.host).filter((h) => net.isIP(h) !== 0);
  return (host, cert) => {
    const err = tls.checkServerIdentity(host, cert);
    if (!err || host !== "localhost" || addresses.length === 0) return err;
    if (addresses.some((a) => !tls.checkServerIdentity(a, cert))) return undefined;
    return tls.checkServerIdentity(addresses[0], cert);
  };
}

/** What one plain look at a server showed: it answered NATS, refused our TLS, or was not there. */
export type ProbeResult =
  | { kind: "answered" }
  | { kind: "tls_failed"; error: Error }
  | { kind: "unreachable"; reason: string };

/**
 * Dials one server the way the client does (INFO in plain, then TLS on the same socket) and sends
 * a PING. A server that refuses our client certificate does so only after the handshake, with an
 * alert; the NATS client then waits for its connect timeout and reports a bare "timeout". Any NATS
 * answer (PONG, or -ERR before CONNECT) shows that TLS was accepted.
 */
export async function probeServer(
  server: NatsServerAddress,
  f: NatsTlsFiles,
  o: { peers?: NatsServerAddress[]; timeoutMs?: number } = {},
): Promise<ProbeResult> {
  const timeoutMs = o.timeoutMs ?? 5000;
  const options: tls.ConnectionOptions = {
    ca: f.tlsCa ? await Deno.readTextFile(f.tlsCa) : undefined,
    cert: f.tlsCert ? await Deno.readTextFile(f.tlsCert) : undefined,
    key: f.tlsKey ? await Deno.readTextFile(f.tlsKey) : undefined,
    servername: net.isIP(server.host) ? undefined : server.host,
    // The same check as the client's: with several IP servers, any of their addresses will do.
    checkServerIdentity: identityCheck(o.peers ?? [server]),
  };
  return await new Promise<ProbeResult>((resolve) => {
    let secure: tls.TLSSocket | undefined;
    let done = false;
    const finish = (r: ProbeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      raw.destroy();
      secure?.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => finish({ kind: "unreachable", reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    const raw = net.connect(server.port, server.host);
    // Listeners stay until the end: a late error of this socket must never go uncaught.
    raw.on("error", (e) => {
      if (!secure) finish({ kind: "unreachable", reason: e.message });
    });
    raw.on("close", () => {
      if (!secure) finish({ kind: "unreachable", reason: "closed before INFO" });
    });
    let head = "";
    const onInfo = (chunk: Uint8Array) => {
      head += new TextDecoder().decode(chunk);
      const end = head.indexOf("\r\n");
      if (end < 0) return;
      raw.off("data", onInfo);
      let info: { tls_required?: boolean; tls_available?: boolean } = {};
      try {
        info = JSON.parse(head.slice(0, end).replace(/^INFO\s+/, ""));
      } catch { /* not a NATS server: TLS below fails or the timeout ends it */ }
      // The client upgrades whenever the server offers TLS; so does the probe.
      if (!info.tls_required && !info.tls_available) {
        finish({ kind: "answered" }); // plain NATS: nothing for TLS to explain
        return;
      }
      secure = tls.connect({ ...options, socket: raw }, () => secure!.write("PING\r\n"));
      secure.on("data", () => finish({ kind: "answered" }));
      secure.on("error", (e) => finish({ kind: "tls_failed", error: e }));
      secure.on("close", () => finish({ kind: "unreachable", reason: "closed after TLS" }));
    };
    raw.on("data", onInfo);
  });
}

const UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "INVALID_CA",
]);

/**
 * A TLS failure in words naming what to fix, or null when the error is no TLS failure. `server`
 * is where it happened, when known.
 */
export function explainTlsError(
  e: unknown,
  f: NatsTlsFiles,
  server?: NatsServerAddress,
): NatsTlsError | null {
  const err = e as { code?: unknown; message?: unknown; cert?: { subjectaltname?: string } };
  const code = typeof err?.code === "string" ? err.code : "";
  const reason = typeof err?.message === "string" ? err.message : String(e);
  const at = server ? ` at ${server.host}:${server.port}` : "";
  if (UNTRUSTED.has(code) || /unknown ?issuer|unable to verify|self[- ]signed/i.test(reason)) {
    return new NatsTlsError(
      f.tlsCa
        ? `the certificate of the NATS server${at} is not signed by the CA in NATS_TLS_CA (${f.tlsCa}): ${reason}; set NATS_TLS_CA to the CA that signed the server's certificate`
        : `the certificate of the NATS server${at} is not signed by a CA this system trusts: ${reason}; set NATS_TLS_CA to the CA that signed it`,
      { cause: e },
    );
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const names = err.cert?.subjectaltname || "no subject alternative names";
    return new NatsTlsError(
      `the certificate of the NATS server${at} is not for ${
        server?.host ?? "the host in NATS_URL"
      } (it names ${names}): use a host in NATS_URL that the certificate names, or give the server a certificate for that host`,
      { cause: e },
    );
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return new NatsTlsError(`the certificate of the NATS server${at} is not valid now: ${reason}`, {
      cause: e,
    });
  }
  if (/alert/i.test(reason) && /certificate|unknown ?ca|access ?denied/i.test(reason)) {
    return new NatsTlsError(
      f.tlsCert
        ? `the NATS server${at} refused the client certificate in NATS_TLS_CERT (${f.tlsCert}): ${reason}; it must be signed by a CA in the server's tls ca_file`
        : `the NATS server${at} refused the TLS connection: ${reason}; it requires a client certificate: set NATS_TLS_CERT and NATS_TLS_KEY to one signed by a CA the server trusts`,
      { cause: e },
    );
  }
  if (code.startsWith("ERR_SSL_") || /server does not support 'tls'/.test(reason)) {
    return new NatsTlsError(
      `TLS with the NATS server${at} failed: ${reason}; check NATS_URL (tls:// needs a server with tls), NATS_TLS_CA, NATS_TLS_CERT and NATS_TLS_KEY`,
      { cause: e },
    );
  }
  return null;
}
