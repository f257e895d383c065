// Builds a throwaway network of Linux network namespaces (needs root) for discovery tests.
//
// Topology: a bridge in the root namespace holds the "host side" address (198.51.100.1/24 and
// 2001:db8::1/64 by default), so the code under test runs unchanged in the test process; each lab
// host is its own namespace, attached to the bridge by a veth pair, so it can be taken down,
// firewalled or given services on its own. Only TEST-NET ranges (RFC 5737) and 2001:db8::/32
// (RFC 3849) are accepted, and routes are checked to point at the lab before it is handed out,
// so a sweep can never leak onto a real network.
//
// Every lab writes a state file (owner pid + what it created) before creating anything; the next
// createLab() removes whatever a crashed run left behind.
import {
  bigIntToIp,
  cidrContains,
  parseCidr,
  type ParsedIp,
  parseIpLenient,
} from "@/services/ipam/mod.ts";

export interface LabServiceSpec {
  /** TCP port a small HTTP server listens on inside the host's namespace (IPv4 and IPv6). */
  port: number;
}

export interface LabHostSpec {
  ip: string;
  ip6?: string;
  services?: LabServiceSpec[];
}

export interface LabOptions {
  /** Short tag (1–6 of a-z0-9) naming every resource `pf-<name>…`; random when absent. */
  name?: string;
  hosts: LabHostSpec[];
  /** Host-side IPv4 address; default .1 of the hosts' /24. */
  hostIp?: string;
  /** Host-side IPv6 address; default ::1 of the hosts' /64 (only when a host has ip6). */
  hostIp6?: string;
}

export interface LabHost {
  ip: string;
  ip6: string | null;
  /** The host's network namespace (`ip netns exec <netns> …`). */
  netns: string;
  services: number[];
}

export interface Lab {
  /** Resource prefix, e.g. "pf-k3x9". */
  name: string;
  bridge: string;
  subnet: string;
  subnet6: string | null;
  hostIp: string;
  hostIp6: string | null;
  hosts: LabHost[];
  /** Takes the host's link down: it stops answering anything. */
  hostDown(ip: string): Promise<void>;
  /** Brings the host's link back up. */
  hostUp(ip: string): Promise<void>;
  /** Drops ICMP/ICMPv6 echo requests inside the host (nftables); TCP still answers. */
  blockIcmp(ip: string): Promise<void>;
  unblockIcmp(ip: string): Promise<void>;
  /** Removes everything the lab created. Safe to call more than once. */
  destroy(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface LabState {
  pid: number;
  /** /proc/<pid>/stat start time, so a recycled pid is not mistaken for the owner. */
  start: string;
  tag: string;
  bridge: string;
  netns: string[];
  links: string[];
}

const TEST_NETS_V4 = ["198.51.100.0/24", "203.0.113.0/24"];
// host-network guard: 192.0.2.0/24 (TEST-NET-1) is this machine's own eth0 network; a lab on it
// would hijack the host's route, so it is refused by name even though RFC 5737 reserves it.
const HOST_NETWORK_V4 = "192.0.2.0/24"; // host-network guard
const TEST_NET_V6 = "2001:db8::/32";
const STATE_DIRS = ["/run/pingfold-lab", "/tmp/pingfold-lab"];
const NFT_TABLE = "pingfold_lab";

/** Programs the lab and the discovery tests rely on, with the Debian package providing each. */
export const LAB_TOOLS: Record<string, string> = {
  ip: "iproute2",
  nft: "nftables",
  fping: "fping",
  ping: "iputils-ping",
  python3: "python3",
  setpriv: "util-linux",
  curl: "curl",
  dumpcap: "wireshark-common",
  softflowd: "softflowd",
};

/**
 * Throws a clear error unless this process is root and every tool is on PATH. Lab tests call it
 * first so a misconfigured machine fails loudly instead of skipping.
 */
export async function labPreflight(tools: string[] = Object.keys(LAB_TOOLS)): Promise<void> {
  if (Deno.uid() !== 0) {
    throw new Error(
      `the netns lab needs root (it creates network namespaces); this process runs as uid ` +
        `${Deno.uid()}. Run the lab tests as root, as CI does: sudo deno test -A tests/lab/`,
    );
  }
  const missing: string[] = [];
  for (const tool of tools) {
    if (!(await onPath(tool))) missing.push(tool);
  }
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((t) => LAB_TOOLS[t] ?? t))].join(" ");
    throw new Error(
      `the netns lab needs ${
        missing.join(", ")
      } on PATH; install them: apt-get install ${packages}`,
    );
  }
}

/**
 * Labs of two runs on one machine would put the same TEST-NET addresses on two bridges: a process
 * holds this lock (flock) while any of its labs exists, so a second run waits. It is not the
 * /tmp/pf-lab.lock that `flock` takes around a whole lab run, which would deadlock with it.
 */
export const LAB_LOCK_PATH = "/tmp/pf-lab-run.lock";
let labLock: { file: Deno.FsFile; labs: number } | null = null;

async function holdLabLock(): Promise<void> {
  if (!labLock) {
    const file = await Deno.open(LAB_LOCK_PATH, { create: true, write: true });
    await file.lock(true);
    labLock = { file, labs: 0 };
  }
  labLock.labs++;
}

function releaseLabLock(): void {
  if (!labLock || --labLock.labs > 0) return;
  labLock.file.close(); // closing the file drops the lock
  labLock = null;
}

/** Creates a lab; see the module comment for the topology. */
export async function createLab(opts: LabOptions): Promise<Lab> {
  await labPreflight(["ip", ...(opts.hosts.some((h) => h.services?.length) ? ["python3"] : [])]);
  await holdLabLock();
  let held = true;
  const release = () => {
    if (held) releaseLabLock();
    held = false;
  };
  try {
    return await buildLab(opts, release);
  } catch (err) {
    release();
    throw err;
  }
}

async function buildLab(opts: LabOptions, releaseLock: () => void): Promise<Lab> {
  await cleanupStaleLabs();

  if (opts.hosts.length === 0 || opts.hosts.length > 50) {
    throw new Error(`a lab needs 1 to 50 hosts, got ${opts.hosts.length}`);
  }
  if (opts.name !== undefined && !/^[a-z0-9]{1,6}$/.test(opts.name)) {
    throw new Error(`lab name "${opts.name}" must be 1 to 6 characters of a-z and 0-9`);
  }
  const tag = opts.name ?? randomTag();
  const plan = planAddresses(opts);

  const owner = await readState(tag);
  if (owner && isAlive(owner) && owner.pid !== Deno.pid) {
    throw new Error(`lab name "pf-${tag}" is in use by running process ${owner.pid}`);
  }
  if (owner) await destroyState(owner);
  await removeByPrefix(tag);
  await ensureUnused(plan.subnet, plan.subnet6);

  const bridge = `pf${tag}br`;
  const hosts: LabHost[] = opts.hosts.map((h, i) => ({
    ip: plan.hosts[i].ip,
    ip6: plan.hosts[i].ip6,
    netns: `pf-${tag}-h${i}`,
    services: (h.services ?? []).map((s) => s.port),
  }));
  const state: LabState = {
    pid: Deno.pid,
    start: await processStart(Deno.pid),
    tag,
    bridge,
    netns: hosts.map((h) => h.netns),
    links: [bridge, ...hosts.map((_, i) => `pf${tag}v${i}`)],
  };
  await writeState(state);

  const servers: Deno.ChildProcess[] = [];
  const destroy = async () => {
    for (const server of servers.splice(0)) {
      try {
        server.kill("SIGKILL");
      } catch { /* already gone */ }
      await server.status;
    }
    await destroyState(state);
    releaseLock();
  };

  try {
    await ip(["link", "add", bridge, "type", "bridge"]);
    await ip(["addr", "add", `${plan.hostIp}/24`, "dev", bridge]);
    if (plan.hostIp6) await ip(["addr", "add", `${plan.hostIp6}/64`, "dev", bridge, "nodad"]);
    await ip(["link", "set", bridge, "up"]);

    for (const [i, host] of hosts.entries()) {
      const veth = `pf${tag}v${i}`;
      await ip(["netns", "add", host.netns]);
      await ip(["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", host.netns]);
      await ip(["link", "set", veth, "master", bridge, "up"]);
      await ip(["-n", host.netns, "link", "set", "lo", "up"]);
      await ip(["-n", host.netns, "addr", "add", `${host.ip}/24`, "dev", "eth0"]);
      // Keep IPv6 addresses across hostDown/hostUp (the kernel drops them on link down).
      await ip([
        "netns",
        "exec",
        host.netns,
        "sysctl",
        "-qw",
        "net.ipv6.conf.eth0.keep_addr_on_down=1",
      ]);
      if (host.ip6) {
        await ip(["-n", host.netns, "addr", "add", `${host.ip6}/64`, "dev", "eth0", "nodad"]);
      }
      await ip(["-n", host.netns, "link", "set", "eth0", "up"]);
    }

    await assertRoutedToLab(bridge, hosts[0].ip, hosts.find((h) => h.ip6)?.ip6 ?? null);

    for (const host of hosts) {
      for (const port of host.services) {
        servers.push(startService(host.netns, port));
        await waitListening(host.ip, port);
      }
    }
  } catch (err) {
    await destroy();
    throw err;
  }

  const find = (addr: string) => {
    const host = hosts.find((h) => h.ip === addr || h.ip6 === addr);
    if (!host) throw new Error(`${addr} is not a host of lab pf-${tag}`);
    return host;
  };

  return {
    name: `pf-${tag}`,
    bridge,
    subnet: plan.subnet,
    subnet6: plan.subnet6,
    hostIp: plan.hostIp,
    hostIp6: plan.hostIp6,
    hosts,
    hostDown: async (addr) => await ip(["-n", find(addr).netns, "link", "set", "eth0", "down"]),
    hostUp: async (addr) => await ip(["-n", find(addr).netns, "link", "set", "eth0", "up"]),
    blockIcmp: async (addr) => {
      const ns = find(addr).netns;
      await ip(["netns", "exec", ns, "nft", "-f", "-"], {
        stdin: `table inet ${NFT_TABLE} {
  chain input {
    type filter hook input priority 0; policy accept;
    icmp type echo-request drop
    icmpv6 type echo-request drop
  }
}
`,
      });
    },
    unblockIcmp: async (addr) => {
      const ns = find(addr).netns;
      await ip(["netns", "exec", ns, "nft", "delete", "table", "inet", NFT_TABLE], {
        ignore: /No such file|does not exist/,
      });
    },
    destroy,
    [Symbol.asyncDispose]: destroy,
  };
}

/** Removes labs whose owning process is gone. Returns the prefixes it removed. */
export async function cleanupStaleLabs(): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of STATE_DIRS) {
    let entries: Deno.DirEntry[] = [];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.name.endsWith(".json")) continue;
      const state = await readStateFile(`${dir}/${entry.name}`);
      if (!state || isAlive(state)) continue;
      await destroyState(state);
      removed.push(`pf-${state.tag}`);
    }
  }
  return removed;
}

async function destroyState(state: LabState): Promise<void> {
  for (const ns of state.netns) await emptyNamespace(ns);
  for (const ns of state.netns) {
    await ip(["netns", "del", ns], { ignore: /No such file|Invalid argument|not found/ });
  }
  for (const link of state.links) {
    await ip(["link", "del", link], { ignore: /Cannot find device|does not exist/ });
  }
  for (const dir of STATE_DIRS) {
    await Deno.remove(`${dir}/${state.tag}.json`).catch(() => {});
  }
}

/** Kills what still runs inside one of our namespaces (services of a crashed run), by pid. */
async function emptyNamespace(ns: string): Promise<void> {
  const res = await run("ip", ["netns", "pids", ns]);
  if (res.code !== 0) return;
  for (const pid of res.stdout.split(/\s+/).filter(Boolean).map(Number)) {
    if (!Number.isInteger(pid) || pid <= 1 || pid === Deno.pid) continue;
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* exited meanwhile */ }
  }
}

/** Removes namespaces and links carrying this tag that no state file accounts for. */
async function removeByPrefix(tag: string): Promise<void> {
  const netns = await run("ip", ["netns", "list"]);
  for (const line of netns.stdout.split("\n")) {
    const ns = line.split(" ")[0];
    if (ns.startsWith(`pf-${tag}-`)) {
      await emptyNamespace(ns);
      await ip(["netns", "del", ns], { ignore: /No such file|not found/ });
    }
  }
  const links = await run("ip", ["-o", "link", "show"]);
  for (const line of links.stdout.split("\n")) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
    if (name && name.startsWith(`pf${tag}`) && /^(br|v\d+)$/.test(name.slice(2 + tag.length))) {
      await ip(["link", "del", name], { ignore: /Cannot find device/ });
    }
  }
}

/** An address of one family (IPv4 in any inet_aton form), or an Error naming it. */
function address(text: string, family: 4 | 6): ParsedIp {
  const parsed = parseIpLenient(text, { anyIpv4Form: true });
  if (!parsed || parsed.family !== family) throw new Error(`not an IPv${family} address: ${text}`);
  return parsed;
}

function planAddresses(opts: LabOptions) {
  const net4 = parseCidr(`${address(opts.hosts[0].ip, 4).ip}/24`, { normalize: true });
  const subnet = net4.cidr;
  if (subnet === HOST_NETWORK_V4) {
    throw new Error(`lab hosts must never be in ${subnet}: it is this machine's own network`);
  }
  if (!TEST_NETS_V4.includes(subnet)) {
    throw new Error(
      `lab hosts must be in a TEST-NET range (${TEST_NETS_V4.join(", ")}), got ${subnet}`,
    );
  }
  const inV4 = (a: string) => cidrContains(net4, address(a, 4));
  const hostIp = opts.hostIp ?? net4.network.replace(/\.0$/, ".1");
  const v6Hosts = opts.hosts.filter((h) => h.ip6);
  let net6: ReturnType<typeof parseCidr> | null = null;
  let hostIp6: string | null = null;
  if (v6Hosts.length > 0) {
    net6 = parseCidr(`${address(v6Hosts[0].ip6!, 6).ip}/64`, { normalize: true });
    if (!cidrContains(TEST_NET_V6, net6.network)) {
      throw new Error(`lab IPv6 hosts must be in ${TEST_NET_V6}, got ${net6.cidr}`);
    }
    hostIp6 = opts.hostIp6 ?? bigIntToIp(net6.first + 1n, 6);
  }
  const subnet6 = net6?.cidr ?? null;
  const inV6 = (a: string) => net6 !== null && cidrContains(net6, address(a, 6));
  const seen = new Set<string>([hostIp, ...(hostIp6 ? [hostIp6] : [])]);
  const hosts = opts.hosts.map((h) => {
    const v4 = address(h.ip, 4).ip;
    const v6 = h.ip6 ? address(h.ip6, 6).ip : null;
    if (!inV4(v4)) throw new Error(`lab host ${v4} is outside ${subnet}`);
    if (v6 && !inV6(v6)) throw new Error(`lab host ${v6} is outside ${subnet6}`);
    for (const a of [v4, v6]) {
      if (a && seen.has(a)) throw new Error(`lab address ${a} is used twice`);
      if (a) seen.add(a);
    }
    return { ip: v4, ip6: v6 };
  });
  if (!inV4(hostIp)) throw new Error(`host-side address ${hostIp} is outside ${subnet}`);
  return { subnet, subnet6, hostIp, hostIp6, hosts };
}

/** Refuses subnets this machine already uses (a real network, or another running lab). */
async function ensureUnused(subnet: string, subnet6: string | null): Promise<void> {
  const checks: Array<[string, string]> = [["-4", subnet]];
  if (subnet6) checks.push(["-6", subnet6]);
  for (const [family, cidr] of checks) {
    const res = await run("ip", ["-j", family, "route", "show", "table", "all"]);
    const routes = JSON.parse(res.stdout || "[]") as Array<{ dst: string; dev?: string }>;
    const net = parseCidr(cidr);
    for (const route of routes) {
      if (
        !route.dst || route.dst === "default" || route.dst.startsWith("fe80") ||
        route.dst.startsWith("ff00")
      ) {
        continue;
      }
      const dst = route.dst.includes("/")
        ? route.dst
        : `${route.dst}/${family === "-4" ? 32 : 128}`;
      let other: ReturnType<typeof parseCidr>;
      try {
        other = parseCidr(dst, { normalize: true });
      } catch {
        continue;
      }
      if (other.family !== net.family) continue;
      const overlaps = other.first <= net.last && net.first <= other.last;
      if (overlaps) {
        throw new Error(
          `lab subnet ${cidr} is already routed on this machine (${route.dst} dev ${route.dev}); ` +
            `pick another TEST-NET range or destroy the lab using it`,
        );
      }
    }
  }
}

/** Fails unless lab addresses are routed through the lab bridge (never the default route). */
async function assertRoutedToLab(bridge: string, v4: string, v6: string | null): Promise<void> {
  for (const addr of [v4, v6].filter((a): a is string => a !== null)) {
    const res = await run("ip", ["-j", "route", "get", addr]);
    const dev = (JSON.parse(res.stdout || "[]") as Array<{ dev?: string }>)[0]?.dev;
    if (dev !== bridge) {
      throw new Error(`lab safety check: ${addr} routes via ${dev}, not the lab bridge ${bridge}`);
    }
  }
}

function startService(ns: string, port: number): Deno.ChildProcess {
  // "::" makes python's http.server dual-stack, so one server answers IPv4 and IPv6.
  return new Deno.Command("ip", {
    args: ["netns", "exec", ns, "python3", "-m", "http.server", String(port), "--bind", "::"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function waitListening(hostname: string, port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const conn = await Deno.connect({ hostname, port });
      conn.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`lab service ${hostname}:${port} did not start listening within 5 s`);
}

async function writeState(state: LabState): Promise<void> {
  let lastError: unknown;
  for (const dir of STATE_DIRS) {
    try {
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeTextFile(`${dir}/${state.tag}.json`, JSON.stringify(state));
      return;
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`cannot record lab state in ${STATE_DIRS.join(" or ")}: ${lastError}`);
}

async function readState(tag: string): Promise<LabState | null> {
  for (const dir of STATE_DIRS) {
    const state = await readStateFile(`${dir}/${tag}.json`);
    if (state) return state;
  }
  return null;
}

async function readStateFile(path: string): Promise<LabState | null> {
  try {
    const state = JSON.parse(await Deno.readTextFile(path)) as LabState;
    return typeof state.pid === "number" && /^[a-z0-9]{1,6}$/.test(state.tag) ? state : null;
  } catch {
    return null;
  }
}

function isAlive(state: LabState): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${state.pid}/stat`);
    return startField(stat) === state.start;
  } catch {
    return false;
  }
}

async function processStart(pid: number): Promise<string> {
  return startField(await Deno.readTextFile(`/proc/${pid}/stat`));
}

function startField(stat: string): string {
  // Field 22 (starttime), counted after the parenthesized command name, which may hold spaces.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
}

function randomTag(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

async function onPath(tool: string): Promise<boolean> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter(Boolean)) {
    try {
      const info = await Deno.stat(`${dir}/${tool}`);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return true;
    } catch { /* not in this directory */ }
  }
  return false;
}

async function run(cmd: string, args: string[], stdin?: string) {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** Runs `ip …`; throws with its stderr unless it succeeded or the error is an expected one. */
async function ip(args: string[], opts: { stdin?: string; ignore?: RegExp } = {}): Promise<void> {
  const res = await run("ip", args, opts.stdin);
  if (res.code === 0) return;
  if (opts.ignore?.test(res.stderr)) return;
  throw new Error(`ip ${args.join(" ")} failed (exit ${res.code}): ${res.stderr.trim()}`);
}
