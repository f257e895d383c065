import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import {
  type CommandRunner,
  createCommandRunner,
  resolveProgram,
  runCommand,
  type RunResult,
} from "@/services/jobs/mod.ts";
import { sweep } from "./sweeper.ts";
import { planSweep } from "./sweep_plan.ts";

// Every 127.x.y.z answers ICMP on Linux and every closed port there answers TCP with a RST, so
// loopback is a safe, real target for the up paths. Down paths need the netns lab
// (tests/lab/netns_lab_test.ts) or, here, a scripted fping.

const LOOPBACK = [...planSweep("127.0.0.0/27").targets]; // 127.0.0.1 … 127.0.0.30

Deno.test("sweep uses fping when it can and reports every target up with a latency", async () => {
  const res = await sweep([...LOOPBACK, "::1"], { runner: runCommand, timeoutMs: 500 });
  assert.equal(res.method, "fping");
  assert.deepEqual(res.errors, []);
  assert.deepEqual(res.results.map((r) => r.ip), [...LOOPBACK, "::1"]);
  for (const r of res.results) {
    assert.equal(r.up, true, `${r.ip} should be up`);
    assert.equal(r.method, "fping");
    assert.equal(typeof r.latencyMs, "number");
  }
  assert.ok(res.durationMs >= 0);
});

Deno.test("sweep falls back to ping when fping is not on PATH", async () => {
  await withPath(["ping"], async (runner) => {
    const res = await sweep(["127.0.0.1", "127.0.0.2", "::1"], { runner, timeoutMs: 500 });
    assert.equal(res.method, "ping");
    assert.match(res.errors.join("\n"), /fping unavailable \(not installed\)/);
    assert.deepEqual(res.results.map((r) => [r.ip, r.up, r.method]), [
      ["127.0.0.1", true, "ping"],
      ["127.0.0.2", true, "ping"],
      ["::1", true, "ping"],
    ]);
    for (const r of res.results) assert.equal(typeof r.latencyMs, "number");
  });
});

Deno.test("sweep falls back to TCP when neither fping nor ping is available", async () => {
  await withPath([], async (runner) => {
    const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (server.addr as Deno.NetAddr).port;
    try {
      const res = await sweep(["127.0.0.1", "127.0.0.9"], {
        runner,
        timeoutMs: 500,
        tcpPorts: [port],
      });
      assert.equal(res.method, "tcp");
      assert.match(res.errors.join("\n"), /ping unavailable \(not installed\)/);
      // 127.0.0.1 accepts, 127.0.0.9 refuses (RST): both prove a live host.
      assert.deepEqual(res.results.map((r) => [r.ip, r.up, r.method]), [
        ["127.0.0.1", true, "tcp"],
        ["127.0.0.9", true, "tcp"],
      ]);
    } finally {
      server.close();
    }
  });
});

Deno.test("fping's 'can't create socket' sends the sweep to ping", async () => {
  const calls: string[] = [];
  const runner = scripted(calls, {
    // Captured from fping 5.1 run without CAP_NET_RAW.
    fping: () => result(4, "", "/usr/bin/fping: can't create socket (must run as root?)\n"),
  });
  const res = await sweep(["127.0.0.1", "127.0.0.3"], { runner, timeoutMs: 500 });
  assert.equal(res.method, "ping");
  assert.match(res.errors[0], /fping unavailable \(may not send ICMP: .*can't create socket/);
  assert.deepEqual(calls.map((c) => c.split(" ")[0]), ["fping", "ping", "ping"]);
  assert.ok(res.results.every((r) => r.up && r.method === "ping"));
});

Deno.test("when ping may not send ICMP either, TCP decides, after a single ping canary", async () => {
  const calls: string[] = [];
  const runner = scripted(calls, {
    fping: () => result(4, "", "fping: can't create socket (must run as root?)\n"),
    // Captured from iputils ping 20221126 without CAP_NET_RAW.
    ping: () =>
      result(
        2,
        "",
        "ping: socktype: SOCK_RAW\nping: socket: Operation not permitted\n" +
          "ping: => missing cap_net_raw+p capability or setuid?\n",
      ),
  });
  const res = await sweep(["127.0.0.1", "127.0.0.2", "127.0.0.3"], {
    runner,
    timeoutMs: 500,
    tcpPorts: [9], // closed on loopback: the RST is the answer
  });
  assert.equal(res.method, "tcp");
  assert.equal(calls.filter((c) => c.startsWith("ping")).length, 1, "only the canary ping runs");
  assert.ok(res.results.every((r) => r.up && r.method === "tcp"));
  assert.match(res.errors.join("\n"), /ping unavailable \(may not send ICMP: .*not permitted/);
});

Deno.test("hosts silent to ICMP are re-checked over TCP and credited to it", async () => {
  const runner = scripted([], {
    fping: () => result(1, "127.0.0.1 is alive (0.040 ms)\n127.0.0.5 is unreachable\n", ""),
  });
  const res = await sweep(["127.0.0.1", "127.0.0.5"], { runner, timeoutMs: 500, tcpPorts: [9] });
  assert.equal(res.method, "fping");
  assert.deepEqual(res.results.map((r) => [r.ip, r.up, r.method]), [
    ["127.0.0.1", true, "fping"],
    ["127.0.0.5", true, "tcp"],
  ]);
  assert.equal(res.results[0].latencyMs, 0.04);
});

Deno.test("TCP re-checks are limited to known hosts when too many are silent", async () => {
  const targets = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"];
  const runner = scripted([], {
    fping: () => result(1, targets.map((ip) => `${ip} is unreachable\n`).join(""), ""),
  });
  const res = await sweep(targets, {
    runner,
    timeoutMs: 500,
    tcpPorts: [9],
    tcpRecheckLimit: 2,
    knownHosts: ["127.0.0.3", "not-an-ip", "198.51.100.1"],
  });
  assert.deepEqual(res.results.map((r) => r.up), [false, false, true, false]);
  assert.equal(res.results[2].method, "tcp");
  assert.equal(res.results[0].method, "fping");
  assert.match(res.notes.join("\n"), /4 hosts did not answer ICMP.*only the 1 known ones/);
  assert.deepEqual(res.errors, []);

  const none = await sweep(targets, { runner, timeoutMs: 500, tcpPorts: [9], tcpRecheckLimit: 0 });
  assert.ok(none.results.every((r) => !r.up && r.method === "fping"));
});

Deno.test("hosts whose echo request was refused locally are probed another way", async () => {
  const calls: string[] = [];
  const runner = scripted(calls, {
    fping: () =>
      result(
        1,
        "127.0.0.1 is alive (0.1 ms)\n127.0.0.7 is unreachable\n",
        "127.0.0.7: error while sending ping: Operation not permitted\n",
      ),
  });
  const res = await sweep(["127.0.0.1", "127.0.0.7"], { runner, timeoutMs: 500 });
  assert.equal(res.method, "fping");
  assert.deepEqual(res.results.map((r) => [r.ip, r.up, r.method]), [
    ["127.0.0.1", true, "fping"],
    ["127.0.0.7", true, "ping"],
  ]);
  assert.deepEqual(calls.filter((c) => c.startsWith("ping")).map((c) => c.split(" ").at(-1)), [
    "127.0.0.7",
  ]);
  assert.match(res.errors.join("\n"), /ICMP sends refused for 1 hosts/);
});

Deno.test("hosts fping says nothing about are not silently reported down", async () => {
  const runner = scripted([], { fping: () => result(0, "127.0.0.1 is alive (0.1 ms)\n", "") });
  const res = await sweep(["127.0.0.1", "127.0.0.8"], { runner, timeoutMs: 500 });
  assert.deepEqual(res.results.map((r) => [r.ip, r.up, r.method]), [
    ["127.0.0.1", true, "fping"],
    ["127.0.0.8", true, "ping"],
  ]);
  assert.match(res.errors.join("\n"), /no verdict for 1 hosts/);
});

Deno.test("big lists go to fping in chunks, each on stdin", async () => {
  const calls: string[] = [];
  const runner: CommandRunner = async (cmd, args, opts) => {
    calls.push(`${cmd} ${(opts?.stdin ?? "").trim().split("\n").length}`);
    return await runCommand(cmd, args, opts);
  };
  const res = await sweep(LOOPBACK.slice(0, 12), { runner, timeoutMs: 500, fpingChunkSize: 5 });
  assert.deepEqual(calls, ["fping 5", "fping 5", "fping 2"]);
  assert.equal(res.results.length, 12);
  assert.ok(res.results.every((r) => r.up && r.method === "fping"));
});

Deno.test("duplicates are probed once and results keep the given order", async () => {
  const res = await sweep(["127.0.0.3", "127.0.0.1", "127.0.0.3", "::1", "0:0::1"], {
    runner: runCommand,
  });
  assert.deepEqual(res.results.map((r) => r.ip), ["127.0.0.3", "127.0.0.1", "::1"]);
});

Deno.test("a named method that cannot run is an error, not a silent fallback", async () => {
  await withPath([], async (runner) => {
    await assert.rejects(sweep(["127.0.0.1"], { runner, method: "fping" }), (err) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.status, 503);
      assert.equal(err.code, "sweep_method_unavailable");
      assert.match(err.message, /fping: not installed.*apt-get install fping/);
      return true;
    });
    await assert.rejects(sweep(["127.0.0.1"], { runner, method: "ping" }), /ping: not installed/);
  });
});

Deno.test("method 'tcp' runs TCP alone", async () => {
  const calls: string[] = [];
  const runner = scripted(calls, {});
  const res = await sweep(["127.0.0.1"], { runner, method: "tcp", tcpPorts: [9] });
  assert.equal(res.method, "tcp");
  assert.deepEqual(calls, []);
  assert.equal(res.results[0].up, true);
});

Deno.test("targets that are not literal addresses are refused before anything runs", async () => {
  const calls: string[] = [];
  await assert.rejects(
    sweep(["127.0.0.1", "-S203.0.113.9"], { runner: scripted(calls, {}) }),
    (err) => err instanceof AppError && err.status === 422 && /-S203\.0\.113\.9/.test(err.message),
  );
  assert.deepEqual(calls, []);
});

Deno.test("an aborted sweep probes nothing more and says so", async () => {
  const calls: string[] = [];
  const ctl = new AbortController();
  ctl.abort();
  const res = await sweep(["127.0.0.1"], { runner: scripted(calls, {}), signal: ctl.signal });
  assert.deepEqual(calls, []);
  assert.equal(res.results[0].up, false);
  assert.match(res.errors.join("\n"), /aborted/);
});

Deno.test("an empty target list runs nothing", async () => {
  const calls: string[] = [];
  const res = await sweep([], { runner: scripted(calls, {}) });
  assert.deepEqual(res.results, []);
  assert.deepEqual([res.errors, res.notes], [[], []]);
  assert.deepEqual(calls, []);
});

/** A runner whose named programs answer from a script; others run for real. */
function scripted(
  calls: string[],
  script: Record<string, (args: string[]) => RunResult>,
): CommandRunner {
  return async (cmd, args, opts) => {
    calls.push([cmd, ...args].join(" "));
    const fake = script[cmd];
    return fake ? fake(args) : await runCommand(cmd, args, opts);
  };
}

function result(code: number, stdout: string, stderr: string): RunResult {
  return { code, stdout, stderr };
}

/** Runs `fn` with a runner whose PATH holds only the named programs. */
async function withPath(programs: string[], fn: (runner: CommandRunner) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "pf_path_" });
  try {
    for (const program of programs) {
      const real = await resolveProgram(program, Deno.env.get("PATH") ?? "");
      assert.ok(real, `${program} must be installed for this test`);
      await Deno.symlink(real, `${dir}/${program}`);
    }
    await fn(createCommandRunner({ path: dir }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
