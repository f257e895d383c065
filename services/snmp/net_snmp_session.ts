// The real SNMP transport: sessions from npm:net-snmp (UDP), with AES privacy patched in for Deno.
// The library is loaded at the first request: without SNMP credentials it is never needed, and
// loaded at start it held ~2 MB of an idle server's memory.
import { installAesPrivacy, type NetSnmpEncryption } from "./aes_cfb.ts";
import type { SnmpSessionFactory, SnmpTarget, SnmpVarbind } from "./reader.ts";

interface RawVarbind {
  oid: string;
  type: number;
  value: unknown;
}
interface RawSession {
  get(oids: string[], cb: (err: Error | null, varbinds: RawVarbind[]) => void): void;
  close(): void;
  on(event: "error", cb: (err: Error) => void): void;
}

// deno-lint-ignore no-explicit-any
type NetSnmp = any;
let library: Promise<NetSnmp> | null = null;

function netSnmp(): Promise<NetSnmp> {
  return library ??= import("net-snmp").then(({ default: lib }) => {
    installAesPrivacy(lib as NetSnmpEncryption);
    return lib;
  });
}

/** Opens a net-snmp session for one target; IPv6 targets use a udp6 socket. */
export const netSnmpSessionFactory: SnmpSessionFactory = (target, opts) => {
  let raw: Promise<{ lib: NetSnmp; session: RawSession }> | null = null;
  let closed = false;
  const open = () =>
    raw ??= netSnmp().then((lib) => ({ lib, session: openRaw(lib, target, opts) }));
  return {
    get: async (oids) => {
      if (closed) throw new Error("SNMP session closed");
      // Opened before any await, so a close() meanwhile still finds it and closes it.
      const { lib, session } = await open();
      return await new Promise<SnmpVarbind[]>((resolve, reject) => {
        session.get(oids, (err, varbinds) => {
          if (err) return reject(err);
          resolve(varbinds.map((vb) => ({
            oid: vb.oid,
            value: vb.value,
            ...(lib.isVarbindError(vb) && { missing: true }),
          })));
        });
      });
    },
    close: () => {
      closed = true;
      raw?.then(({ session }) => session.close()).catch(() => {});
    },
  };
};

function openRaw(
  lib: NetSnmp,
  target: SnmpTarget,
  opts: { timeoutMs: number; retries: number },
): RawSession {
  const LEVELS = {
    noAuthNoPriv: lib.SecurityLevel.noAuthNoPriv,
    authNoPriv: lib.SecurityLevel.authNoPriv,
    authPriv: lib.SecurityLevel.authPriv,
  };
  const options = {
    port: target.port,
    timeout: opts.timeoutMs,
    retries: opts.retries,
    transport: target.ip.includes(":") ? "udp6" : "udp4",
  };
  const c = target.credentials;
  let raw: RawSession;
  if (c.version === "v2c") {
    raw = lib.createSession(target.ip, c.community, { ...options, version: lib.Version2c });
  } else {
    const user: Record<string, unknown> = {
      name: c.user,
      level: c.privProtocol
        ? LEVELS.authPriv
        : c.authProtocol
        ? LEVELS.authNoPriv
        : LEVELS.noAuthNoPriv,
    };
    if (c.authProtocol) {
      user.authProtocol = lib.AuthProtocols[c.authProtocol];
      user.authKey = c.authKey;
    }
    if (c.privProtocol) {
      user.privProtocol = lib.PrivProtocols[c.privProtocol];
      user.privKey = c.privKey;
    }
    raw = lib.createV3Session(target.ip, user, options);
  }
  // A socket error must not become an unhandled event that kills the process.
  raw.on("error", () => {});
  return raw;
}
