import assert from "node:assert/strict";
import { runCommand } from "@/services/jobs/mod.ts";
import {
  aliveLineReader,
  fpingArgs,
  fpingDeadlineMs,
  type FpingHost,
  isPermissionError,
  parseFpingOutput,
} from "./fping_parser.ts";

// Output captured from fping 5.1 (`fping -e -t 100 -r 1 -i 1`, targets on stdin) inside a
// network namespace holding 198.51.100.1/24.
const MIXED = {
  code: 1,
  stdout: "198.51.100.1 is alive (0.610 ms)\n127.0.0.1 is alive (0.227 ms)\n" +
    "198.51.100.20 is unreachable\n198.51.100.21 is unreachable\n",
  stderr: "",
};

Deno.test("fpingArgs asks for default-mode output with elapsed times, never count mode", () => {
  assert.deepEqual(fpingArgs({ timeoutMs: 300, retries: 2, intervalMs: 1 }), [
    "-e",
    "-t",
    "300",
    "-r",
    "2",
    "-i",
    "1",
  ]);
  const withBackoff = fpingArgs({ timeoutMs: 250.4, retries: 0, intervalMs: 5, backoff: 2 });
  assert.deepEqual(withBackoff.slice(-2), ["-B", "2"]);
  assert.equal(withBackoff[2], "250");
  for (const forbidden of ["-c", "-C", "-q", "-a", "-u", "-g", "-f"]) {
    assert.ok(!withBackoff.includes(forbidden), `${forbidden} must not be used`);
  }
});

Deno.test("fpingDeadlineMs grows with targets, retries and backoff", () => {
  const base = { timeoutMs: 500, retries: 1, intervalMs: 1 };
  assert.ok(fpingDeadlineMs(4094, base) > fpingDeadlineMs(254, base));
  assert.ok(fpingDeadlineMs(254, { ...base, retries: 3 }) > fpingDeadlineMs(254, base));
  // 500 + 750 ms of waiting for the last host, plus sending time and slack.
  assert.ok(fpingDeadlineMs(1, base) >= 1250);
});

Deno.test("alive and unreachable lines become verdicts with latency", () => {
  const report = parseFpingOutput(MIXED);
  assert.deepEqual(report.hosts, [
    { ip: "198.51.100.1", up: true, latencyMs: 0.61 },
    { ip: "127.0.0.1", up: true, latencyMs: 0.227 },
    { ip: "198.51.100.20", up: false, latencyMs: null },
    { ip: "198.51.100.21", up: false, latencyMs: null },
  ]);
  assert.equal(report.fatal, null);
  assert.equal(report.icmpNotPermitted, false);
  assert.deepEqual(report.unparsed, []);
});

Deno.test("every latency format fping prints is read", () => {
  // sprint_tm: %.3f below 1 ms, %.2f below 10, %.1f below 100, %.0f below 1e6, %.3e above.
  const report = parseFpingOutput({
    code: 0,
    stdout: "203.0.113.1 is alive (0.026 ms)\n203.0.113.2 is alive (1.56 ms)\n" +
      "203.0.113.3 is alive (12.5 ms)\n203.0.113.4 is alive (250 ms)\n" +
      "203.0.113.5 is alive (1.234e+06 ms)\n",
    stderr: "",
  });
  assert.deepEqual(report.hosts.map((h) => h.latencyMs), [0.026, 1.56, 12.5, 250, 1234000]);
});

Deno.test("IPv6 addresses are reported in canonical form", () => {
  const report = parseFpingOutput({
    code: 0,
    stdout: "2001:db8:0:0::10 is alive (0.500 ms)\n::1 is alive (0.029 ms)\n",
    stderr: "",
  });
  assert.deepEqual(report.hosts.map((h) => h.ip), ["2001:db8::10", "::1"]);
});

Deno.test("ICMP errors and duplicates on stderr do not change verdicts", () => {
  const report = parseFpingOutput({
    code: 1,
    stdout: "198.51.100.10 is alive (0.310 ms)\n198.51.100.20 is unreachable\n",
    stderr: "ICMP Host Unreachable from 198.51.100.1 for ICMP Echo sent to 198.51.100.20\n" +
      "198.51.100.10 : duplicate for [0], 64 bytes, 0.412 ms [<- 198.51.100.11]\n",
  });
  assert.equal(report.hosts.length, 2);
  assert.equal(report.fatal, null);
  assert.deepEqual(report.unknown, []);
  assert.deepEqual(report.sendErrors, []);
});

Deno.test("exit code 2 reports unknown targets but keeps the verdicts", () => {
  const report = parseFpingOutput({
    code: 2,
    stdout: "127.0.0.1 is alive (0.105 ms)\n::1 is alive (0.029 ms)\n",
    stderr: "not-a-host.invalid: Name or service not known\n",
  });
  assert.equal(report.hosts.length, 2);
  assert.deepEqual(report.unknown, [
    { target: "not-a-host.invalid", reason: "Name or service not known" },
  ]);
  assert.equal(report.fatal, null);
});

Deno.test("a missing ICMP permission is fatal and flagged for fallback", () => {
  // fping 5.1 without CAP_NET_RAW and with ping_group_range "1 0".
  const report = parseFpingOutput({
    code: 4,
    stdout: "",
    stderr: "/tmp/pf_nocap/fping: can't create socket (must run as root?)\n",
  });
  assert.equal(report.icmpNotPermitted, true);
  assert.match(report.fatal ?? "", /exit code 4: .*can't create socket/);
  assert.deepEqual(report.unknown, []);
});

Deno.test("send errors are kept per host and recognised as permission problems", () => {
  const report = parseFpingOutput({
    code: 1,
    stdout: "198.51.100.10 is unreachable\n198.51.100.11 is alive (0.2 ms)\n",
    stderr: "198.51.100.10: error while sending ping: Operation not permitted\n",
  });
  assert.deepEqual(report.sendErrors, [
    { ip: "198.51.100.10", error: "Operation not permitted" },
  ]);
  assert.equal(report.icmpNotPermitted, false);
  assert.equal(report.fatal, null);
  assert.equal(isPermissionError(report.sendErrors[0].error), true);
  assert.equal(isPermissionError("No route to host"), false);
});

Deno.test("bad arguments (exit 1 without verdicts) are fatal, naming fping's complaint", () => {
  const report = parseFpingOutput({
    code: 1,
    stdout: "",
    stderr: "fping: invalid option -- 'bogus'\nsee 'fping -h' for usage information\n" +
      "Usage: fping [options] [targets...]\n\nProbing options:\n   -4, --ipv4   only IPv4\n",
  });
  assert.equal(report.fatal, "fping failed with exit code 1: fping: invalid option -- 'bogus'");
  assert.deepEqual(report.unknown, []);
  assert.equal(report.icmpNotPermitted, false);
});

Deno.test("exit code 3 and signals are fatal", () => {
  assert.match(
    parseFpingOutput({ code: 3, stdout: "", stderr: "fping: cant bind\n" }).fatal ?? "",
    /exit code 3/,
  );
  assert.match(
    parseFpingOutput({ code: 143, stdout: "127.0.0.1 is alive (0.1 ms)\n", stderr: "" }).fatal ??
      "",
    /killed by signal 15/,
  );
});

Deno.test("unexpected stdout lines are kept for diagnostics", () => {
  const report = parseFpingOutput({
    code: 0,
    stdout: "received packet too short for ICMP (12 bytes from 203.0.113.9)\n" +
      "203.0.113.9 is alive (0.1 ms)\n",
    stderr: "",
  });
  assert.deepEqual(report.unparsed, [
    "received packet too short for ICMP (12 bytes from 203.0.113.9)",
  ]);
  assert.equal(report.hosts.length, 1);
});

Deno.test("the parser reads a real fping run against loopback", async () => {
  const targets = ["127.0.0.1", "127.0.0.2", "::1"];
  const run = await runCommand(
    "fping",
    fpingArgs({ timeoutMs: 500, retries: 1, intervalMs: 1 }),
    { stdin: targets.join("\n") + "\n", timeoutMs: 10_000 },
  );
  assert.ok(!run.notFound, "fping must be installed (apt-get install fping)");
  const report = parseFpingOutput(run);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(report.hosts.map((h) => h.ip).sort(), [...targets].sort());
  for (const host of report.hosts) {
    assert.equal(host.up, true);
    assert.equal(typeof host.latencyMs, "number");
  }
});

Deno.test("aliveLineReader reports alive hosts from whole lines, however the output is split", () => {
  const told: FpingHost[][] = [];
  const read = aliveLineReader((hosts) => told.push(hosts));
  const text = MIXED.stdout + "::1 is alive (0.05 ms)\n";
  // One character at a time: every line is complete exactly once.
  for (const ch of text) read(ch);
  assert.deepEqual(told.flat(), [
    { ip: "198.51.100.1", up: true, latencyMs: 0.61 },
    { ip: "127.0.0.1", up: true, latencyMs: 0.227 },
    { ip: "::1", up: true, latencyMs: 0.05 },
  ]);
  // Unreachable and partial lines say nothing yet.
  const later: FpingHost[][] = [];
  const read2 = aliveLineReader((hosts) => later.push(hosts));
  read2("198.51.100.20 is unreachable\n127.0.0.2 is al");
  assert.deepEqual(later, []);
  read2("ive (1.5 ms)\r\n");
  assert.deepEqual(later, [[{ ip: "127.0.0.2", up: true, latencyMs: 1.5 }]]);
});
