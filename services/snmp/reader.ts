// Reads sysName and sysDescr from one device over SNMP v2c or v3, within a deadline, and turns
// every failure into a status and a plain sentence (never a throw).
import { cleanSnmpText } from "./text.ts";

export const SYS_NAME_OID = "1.3.6.1.2.1.1.5.0";
export const SYS_DESCR_OID = "1.3.6.1.2.1.1.1.0";

export const AUTH_PROTOCOLS = ["md5", "sha", "sha224", "sha256", "sha384", "sha512"] as const;
/** AES only: Deno has no DES, so "des" is refused where settings are parsed. */
export const PRIV_PROTOCOLS = ["aes", "aes256b", "aes256r"] as const;
export type AuthProtocol = typeof AUTH_PROTOCOLS[number];
export type PrivProtocol = typeof PRIV_PROTOCOLS[number];

export type SnmpCredentials =
  | { version: "v2c"; community: string }
  | {
    version: "v3";
    user: string;
    authProtocol: AuthProtocol | null;
    authKey: string | null;
    privProtocol: PrivProtocol | null;
    privKey: string | null;
  };

export interface SnmpTarget {
  ip: string;
  port: number;
  credentials: SnmpCredentials;
}

export interface SnmpVarbind {
  oid: string;
  /** Octets for strings; anything else for other types or errors. */
  value: unknown;
  /** Set when the agent answered noSuchObject / noSuchInstance / endOfMibView for this OID. */
  missing?: boolean;
}

/** One open session to one agent; `get` rejects with an Error whose name says what failed. */
export interface SnmpSession {
  get(oids: string[]): Promise<SnmpVarbind[]>;
  close(): void;
}

export type SnmpSessionFactory = (
  target: SnmpTarget,
  opts: { timeoutMs: number; retries: number },
) => SnmpSession;

export type SnmpStatus = "ok" | "timeout" | "auth_failed" | "error";

export interface SnmpReading {
  status: SnmpStatus;
  /** Cleaned (control characters stripped, length capped); null when absent or failed. */
  sys_name: string | null;
  sys_descr: string | null;
  /** What went wrong, for people; null when status is ok. */
  error: string | null;
  duration_ms: number;
}

export interface ReadOptions {
  factory: SnmpSessionFactory;
  /** Per request; net-snmp retries `retries` more times. */
  timeoutMs: number;
  retries: number;
  now?: () => number;
}

const AUTH_FAILURE =
  /Wrong Digest|Unknown User Name|Unsupported Security Level|Decryption Error|decrypt|Authentication digest|Unknown Engine ID/i;

/** Reads both OIDs in one GET; always resolves, within about timeoutMs × (retries + 1). */
export async function readSystem(target: SnmpTarget, opts: ReadOptions): Promise<SnmpReading> {
  const now = opts.now ?? Date.now;
  const started = now();
  const done = (r: Omit<SnmpReading, "duration_ms">): SnmpReading => ({
    ...r,
    duration_ms: Math.max(0, Math.round(now() - started)),
  });
  const budget = opts.timeoutMs * (opts.retries + 1);
  let session: SnmpSession | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    session = opts.factory(target, { timeoutMs: opts.timeoutMs, retries: opts.retries });
    // A backstop above the library's own timeout, so a stuck socket cannot hold a poll slot.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error("no answer");
        err.name = "RequestTimedOutError";
        reject(err);
      }, budget + 500);
    });
    const varbinds = await Promise.race([session.get([SYS_NAME_OID, SYS_DESCR_OID]), deadline]);
    const value = (oid: string) => {
      const vb = varbinds.find((v) => v.oid === oid);
      return vb && !vb.missing ? cleanSnmpText(vb.value) : null;
    };
    const sysName = value(SYS_NAME_OID);
    const sysDescr = value(SYS_DESCR_OID);
    if (sysName === null && sysDescr === null) {
      return done({
        status: "error",
        sys_name: null,
        sys_descr: null,
        error: "the agent answered but has no sysName or sysDescr (outside its view?)",
      });
    }
    return done({ status: "ok", sys_name: sysName, sys_descr: sysDescr, error: null });
  } catch (err) {
    return done({ ...describeFailure(err, target, budget), sys_name: null, sys_descr: null });
  } finally {
    clearTimeout(timer);
    try {
      session?.close();
    } catch { /* already closed */ }
  }
}

function describeFailure(
  err: unknown,
  target: SnmpTarget,
  budgetMs: number,
): { status: SnmpStatus; error: string } {
  const e = err as { name?: string; message?: string };
  const message = cleanSnmpText(String(e?.message ?? err), 300) ?? "unknown error";
  const where = target.ip.includes(":")
    ? `[${target.ip}]:${target.port}`
    : `${target.ip}:${target.port}`;
  if (e?.name === "RequestTimedOutError") {
    const c = target.credentials;
    const hint = c.version === "v2c"
      ? "wrong community (agents drop those silently), SNMP off, or a firewall"
      : c.privProtocol
      ? "wrong privacy key (agents drop what they cannot decrypt), SNMP off, or a firewall"
      : "SNMP off or a firewall";
    return {
      status: "timeout",
      error: `no SNMP answer from ${where} within ${budgetMs} ms: ${hint}`,
    };
  }
  if (AUTH_FAILURE.test(message)) {
    return { status: "auth_failed", error: `SNMPv3 authentication failed at ${where}: ${message}` };
  }
  return { status: "error", error: `SNMP read from ${where} failed: ${message}` };
}
