// Runs Debian's snmpd (net-snmp) for tests: a temp config with a v2c community and v3 users, on
// loopback or inside a lab namespace, stopped by handle. MIB loading is off to keep it quiet.

export interface SnmpdUser {
  name: string;
  auth: "SHA" | "MD5" | "SHA-256";
  authKey: string;
  priv?: "AES";
  privKey?: string;
}

export interface SnmpdOptions {
  /** Address to listen on (IPv4 or IPv6). */
  host: string;
  port: number;
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string;
  sysName: string;
  sysDescr?: string;
  community?: string;
  users?: SnmpdUser[];
}

export interface Snmpd {
  host: string;
  port: number;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export const SNMPD = "/usr/sbin/snmpd";

/** A config line value: snmpd takes the rest of the line, quotes only around pass phrases. */
const line = (v: string) => {
  if (/[\r\n"]/.test(v)) throw new Error(`snmpd config value ${JSON.stringify(v)} is not allowed`);
  return v;
};

export async function startSnmpd(o: SnmpdOptions): Promise<Snmpd> {
  const dir = await Deno.makeTempDir({ prefix: "pf_snmpd_" });
  const conf = [
    `[snmp] persistentDir ${dir}/persist`,
    `sysName ${line(o.sysName)}`,
    `sysDescr ${line(o.sysDescr ?? "Pingfold test agent")}`,
    // rocommunity covers IPv4 only; rocommunity6 the same for IPv6.
    ...(o.community
      ? [`rocommunity ${line(o.community)} default`, `rocommunity6 ${line(o.community)} default`]
      : []),
    ...(o.users ?? []).flatMap((u) => [
      `createUser ${line(u.name)} ${u.auth} "${line(u.authKey)}"` +
      (u.priv ? ` ${u.priv} "${line(u.privKey ?? "")}"` : ""),
      `rouser ${line(u.name)} ${u.priv ? "priv" : "auth"}`,
    ]),
  ].join("\n") + "\n";
  await Deno.writeTextFile(`${dir}/snmpd.conf`, conf);
  const args = [
    "-f", // foreground, so the handle owns it
    "-Lo", // log to stdout: its start line says it is listening
    "-C", // no system config files
    "-c",
    `${dir}/snmpd.conf`,
    "-p",
    `${dir}/snmpd.pid`,
    o.host.includes(":") ? `udp6:[${o.host}]:${o.port}` : `udp:${o.host}:${o.port}`,
  ];
  const cmd = o.netns
    ? new Deno.Command("ip", { args: ["netns", "exec", o.netns, SNMPD, ...args], ...stdio() })
    : new Deno.Command(SNMPD, { args, ...stdio() });
  const child = cmd.spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  const deadline = Date.now() + 10_000;
  try {
    while (!/NET-SNMP version/.test(log)) {
      if (Date.now() > deadline) throw new Error(`snmpd did not start within 10 s:\n${log}`);
      const timer = new Promise<{ done: true; value: undefined }>((r) =>
        setTimeout(() => r({ done: true, value: undefined }), Math.max(1, deadline - Date.now()))
      );
      const chunk = await Promise.race([reader.read(), timer]);
      if (chunk.done) throw new Error(`snmpd exited before listening:\n${log}`);
      log += chunk.value;
      if (/Error opening specified endpoint|Server Exiting/.test(log)) {
        throw new Error(`snmpd failed to start:\n${log}`);
      }
    }
  } catch (err) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
  // Keep draining its log so the pipe never fills.
  const drain = (async () => {
    try {
      while (!(await reader.read()).done) { /* discard */ }
    } catch { /* closed */ }
  })();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await drain;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  return { host: o.host, port: o.port, stop, [Symbol.asyncDispose]: stop };
}

function stdio() {
  return {
    stdin: "null" as const,
    stdout: "piped" as const,
    stderr: "null" as const,
    // No MIB files: snmpd only needs numeric OIDs here, and MIB parsing floods the log.
    env: { MIBS: "", MIBDIRS: "/nonexistent" },
  };
}

/** A UDP port that was free a moment ago, on `hostname`. */
export function freeUdpPort(hostname = "127.0.0.1"): number {
  const sock = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
  const port = (sock.addr as Deno.NetAddr).port;
  sock.close();
  return port;
}
