// The real SNMP transport: sessions from npm:net-snmp (UDP), with AES privacy patched in for Deno.
import snmp from "net-snmp";
import { installAesPrivacy, type NetSnmpEncryption } from "./aes_cfb.ts";
import type { SnmpSession, SnmpSessionFactory, SnmpVarbind } from "./reader.ts";

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
const lib = snmp as any;
installAesPrivacy(lib as NetSnmpEncryption);

const LEVELS = {
  noAuthNoPriv: lib.SecurityLevel.noAuthNoPriv,
  authNoPriv: lib.SecurityLevel.authNoPriv,
  authPriv: lib.SecurityLevel.authPriv,
};

/** Opens a net-snmp session for one target; IPv6 targets use a udp6 socket. */
export const netSnmpSessionFactory: SnmpSessionFactory = (target, opts) => {
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
  const session: SnmpSession = {
    get: (oids) =>
      new Promise<SnmpVarbind[]>((resolve, reject) => {
        raw.get(oids, (err, varbinds) => {
          if (err) return reject(err);
          resolve(varbinds.map((vb) => ({
            oid: vb.oid,
            value: vb.value,
            ...(lib.isVarbindError(vb) && { missing: true }),
          })));
        });
      }),
    close: () => raw.close(),
  };
  return session;
};
