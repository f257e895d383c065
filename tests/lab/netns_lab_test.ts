// Live discovery against real network namespaces: sweeps, fallbacks, IPv6, lab hygiene. Needs root.
import assert from "node:assert/strict";
import {
  type CommandRunner,
  createCommandRunner,
  resolveProgram,
  runCommand,
} from "@/services/jobs/mod.ts";
import { planSweep, sweep, type SweepResult } from "@/services/sweeps/mod.ts";
import { cleanupStaleLabs, createLab, type Lab, labPreflight } from "./netns_lab.ts";

const SUBNET = "198.51.100.0/24";
const HOSTS = [
  { ip: "198.51.100.10", ip6: "2001:db8::10", services: [{ port: 8080 }] },
  { ip: "198.51.100.20", ip6: "2001:db8::20" },
  { ip: "198.51.100.30" },
];
const LIVE = ["198.51.100.1", "198.51.100.10", "198.51.100.20", "198.51.100.30"];
// Short timeouts keep the 250 empty addresses cheap; the lab answers in well under 1 ms.
const FAST = { timeoutMs: 300, retries: 1, workers: 64 };

function up(res: SweepResult): string[] {
  return res.results.filter((r) => r.up).map((r) => r.ip);
}

function methodOf(res: SweepResult, ip: string): string | undefined {
  return res.results.find((r) => r.ip === ip)?.method;
}

async function withLab(fn: (lab: Lab) => Promise<void>) {
  await labPreflight();
  const lab = await createLab({ hosts: HOSTS });
  try {
    await fn(lab);
  } finally {
    await lab.destroy();
  }
}

Deno.test("a /24 sweep finds exactly the live hosts, and sees one go down and come back", async () => {
  await withLab(async (lab) => {
    assert.equal(lab.subnet, SUBNET);
    assert.equal(lab.hostIp, "198.51.100.1");
    const plan = planSweep(SUBNET);

    const first = await sweep(plan.targets, { runner: runCommand, ...FAST });
    assert.equal(first.method, "fping");
    assert.equal(first.results.length, 254);
    assert.deepEqual(up(first), LIVE);
    for (const ip of LIVE) assert.equal(methodOf(first, ip), "fping");
    for (const r of first.results.filter((r) => r.up)) assert.equal(typeof r.latencyMs, "number");

    // The empty addresses stayed down through their TCP re-check above; skip it from here on.
    const noRecheck = { runner: runCommand, ...FAST, tcpRecheckLimit: 0 };
    await lab.hostDown("198.51.100.20");
    const second = await sweep(plan.targets, noRecheck);
    assert.deepEqual(up(second), LIVE.filter((ip) => ip !== "198.51.100.20"));
    const down = second.results.find((r) => r.ip === "198.51.100.20");
    assert.deepEqual(down, { ip: "198.51.100.20", up: false, latencyMs: null, method: "fping" });

    await lab.hostUp("198.51.100.20");
    const third = await sweep(plan.targets, noRecheck);
    assert.deepEqual(up(third), LIVE);
  });
});

Deno.test("with fping hidden from PATH, ping finds the same hosts", async () => {
  await withLab(async () => {
    await withPath(["ping"], async (runner) => {
      const res = await sweep(planSweep(SUBNET).targets, { runner, ...FAST });
      assert.equal(res.method, "ping");
      assert.match(res.errors.join("\n"), /fping unavailable \(not installed\)/);
      assert.deepEqual(up(res), LIVE);
      for (const ip of LIVE) assert.equal(methodOf(res, ip), "ping");
    });
  });
});

Deno.test("a host that drops ICMP is still found over TCP", async () => {
  await withLab(async (lab) => {
    await lab.blockIcmp("198.51.100.10"); // serves HTTP on 8080
    await lab.blockIcmp("198.51.100.30"); // no service: its closed port answers with a RST
    const targets = planSweep(SUBNET).targets;

    // The block is real: ICMP alone no longer sees either host.
    const icmpOnly = await sweep(targets, { runner: runCommand, ...FAST, method: "fping" });
    assert.deepEqual(up(icmpOnly), ["198.51.100.1", "198.51.100.20"]);

    const res = await sweep(targets, { runner: runCommand, ...FAST, tcpPorts: [8080] });
    assert.equal(res.method, "fping");
    assert.deepEqual(up(res), LIVE);
    assert.equal(methodOf(res, "198.51.100.10"), "tcp");
    assert.equal(methodOf(res, "198.51.100.30"), "tcp");
    assert.equal(methodOf(res, "198.51.100.20"), "fping");

    // Same over IPv6: ICMPv6 echo is dropped too, the HTTP port still answers.
    const v6 = await sweep(["2001:db8::10"], { runner: runCommand, ...FAST, tcpPorts: [8080] });
    assert.deepEqual(v6.results, [
      { ip: "2001:db8::10", up: true, latencyMs: v6.results[0].latencyMs, method: "tcp" },
    ]);

    await lab.unblockIcmp("198.51.100.10");
    const after = await sweep(["198.51.100.10"], { runner: runCommand, ...FAST });
    assert.equal(methodOf(after, "198.51.100.10"), "fping");
  });
});

Deno.test("without any ICMP permission, fping and ping give way to TCP", async () => {
  await withLab(async () => {
    await withUnprivilegedIcmp(async (runner) => {
      const res = await sweep(planSweep(SUBNET).targets, { runner, ...FAST, tcpPorts: [8080] });
      assert.equal(res.method, "tcp");
      const errors = res.errors.join("\n");
      assert.match(errors, /fping unavailable \(may not send ICMP: .*can't create socket/);
      assert.match(errors, /ping unavailable \(may not send ICMP: .*not permitted/);
      assert.deepEqual(up(res), LIVE);
      assert.ok(res.results.every((r) => r.method === "tcp"));
    });
  });
});

Deno.test("an IPv6 sweep probes only known hosts inside the /64", async () => {
  await withLab(async (lab) => {
    assert.equal(lab.subnet6, "2001:db8::/64");
    const plan = planSweep("2001:db8::/64", [
      "2001:db8::20",
      "2001:db8::10",
      "2001:db8::99", // known but absent
      "2001:db8:1::5", // outside the /64: never probed
      "198.51.100.10",
    ]);
    assert.deepEqual([...plan.targets], ["2001:db8::10", "2001:db8::20", "2001:db8::99"]);

    const res = await sweep(plan.targets, { runner: runCommand, ...FAST });
    assert.equal(res.method, "fping");
    assert.deepEqual(res.results.map((r) => [r.ip, r.up]), [
      ["2001:db8::10", true],
      ["2001:db8::20", true],
      ["2001:db8::99", false],
    ]);

    await lab.hostDown("2001:db8::20");
    await withPath(["ping"], async (runner) => {
      const viaPing = await sweep(plan.targets, { runner, ...FAST });
      assert.equal(viaPing.method, "ping");
      assert.deepEqual(viaPing.results.map((r) => r.up), [true, false, false]);
    });
  });
});

Deno.test("destroy removes everything, twice is fine, and a crashed lab is cleaned up", async () => {
  await labPreflight();
  const lab = await createLab({ name: "t1", hosts: [{ ip: "203.0.113.10" }] });
  assert.equal(lab.name, "pf-t1");
  assert.ok((await netnsNames()).includes("pf-t1-h0"));
  await lab.destroy();
  await lab.destroy();
  assert.ok(!(await netnsNames()).some((n) => n.startsWith("pf-t1-")));
  assert.ok(!(await linkNames()).some((n) => n.startsWith("pft1")));

  // A separate process builds a lab with a running service, then dies without cleaning up.
  const script = `import { createLab } from ${
    JSON.stringify(import.meta.resolve("./netns_lab.ts"))
  };
await createLab({ name: "crash", hosts: [{ ip: "203.0.113.20", services: [{ port: 8081 }] }] });
Deno.exit(0);`;
  const crashed = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(crashed.code, 0, new TextDecoder().decode(crashed.stderr));
  assert.ok((await netnsNames()).includes("pf-crash-h0"), "the crashed lab should be left over");
  const orphans = await namespacePids("pf-crash-h0");
  assert.ok(orphans.length > 0, "its service should still be running");

  const removed = await cleanupStaleLabs();
  assert.ok(removed.includes("pf-crash"), `cleanup removed ${removed}`);
  assert.ok(!(await netnsNames()).includes("pf-crash-h0"));
  assert.ok(!(await linkNames()).some((n) => n.startsWith("pfcrash")));
  for (const pid of orphans) {
    assert.ok(!(await exists(`/proc/${pid}`)) || (await isZombie(pid)), `pid ${pid} still runs`);
  }
});

Deno.test("the preflight names missing tools and the packages that provide them", async () => {
  await assert.rejects(
    labPreflight(["ip", "pf-no-such-tool"]),
    /needs pf-no-such-tool on PATH; install them: apt-get install pf-no-such-tool/,
  );
});

Deno.test("a lab refuses subnets outside TEST-NET and subnets already in use", async () => {
  await labPreflight();
  await assert.rejects(createLab({ hosts: [{ ip: "10.9.8.7" }] }), /TEST-NET/);
  await assert.rejects(
    createLab({ hosts: [{ ip: "198.51.100.10", ip6: "fd00:1::10" }] }),
    /2001:db8::\/32/,
  );
  const lab = await createLab({ hosts: [{ ip: "198.51.100.40" }] });
  try {
    await assert.rejects(createLab({ hosts: [{ ip: "198.51.100.50" }] }), /already routed/);
  } finally {
    await lab.destroy();
  }
});

/** Runs `fn` with a runner whose PATH holds only the named programs. */
async function withPath(programs: string[], fn: (runner: CommandRunner) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "pf_path_" });
  try {
    for (const program of programs) {
      const real = await resolveProgram(program, Deno.env.get("PATH") ?? "");
      assert.ok(real, `${program} must be installed`);
      await Deno.symlink(real, `${dir}/${program}`);
    }
    await fn(createCommandRunner({ path: dir }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs `fn` with a runner that starts fping and ping as an unprivileged user, from copies that lack
 * their file capabilities, in a group outside net.ipv4.ping_group_range: exactly a machine where
 * ICMP is not permitted. TCP (in this process) is unaffected.
 */
async function withUnprivilegedIcmp(fn: (runner: CommandRunner) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "pf_nocap_" });
  try {
    await Deno.chmod(dir, 0o755);
    for (const program of ["fping", "ping"]) {
      const real = await resolveProgram(program, Deno.env.get("PATH") ?? "");
      assert.ok(real, `${program} must be installed`);
      // A plain copy carries no security.capability xattr, so no CAP_NET_RAW.
      await Deno.copyFile(real, `${dir}/${program}`);
      await Deno.chmod(`${dir}/${program}`, 0o755);
    }
    const [lo, hi] = (await Deno.readTextFile("/proc/sys/net/ipv4/ping_group_range"))
      .trim().split(/\s+/).map(Number);
    const gid = 65534 < lo || 65534 > hi ? 65534 : hi < 4294967294 ? hi + 1 : lo - 1;
    const runner = createCommandRunner({
      path: dir,
      prefix: ["setpriv", "--reuid=65534", `--regid=${gid}`, "--clear-groups", "--"],
    });
    await fn(runner);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function netnsNames(): Promise<string[]> {
  const out = await new Deno.Command("ip", { args: ["netns", "list"] }).output();
  return new TextDecoder().decode(out.stdout).split("\n").map((l) => l.split(" ")[0]).filter(
    Boolean,
  );
}

async function linkNames(): Promise<string[]> {
  const out = await new Deno.Command("ip", { args: ["-o", "link", "show"] }).output();
  return new TextDecoder().decode(out.stdout).split("\n")
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1]).filter((n): n is string => !!n);
}

async function namespacePids(ns: string): Promise<number[]> {
  const out = await new Deno.Command("ip", { args: ["netns", "pids", ns] }).output();
  return new TextDecoder().decode(out.stdout).split(/\s+/).filter(Boolean).map(Number);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function isZombie(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}
