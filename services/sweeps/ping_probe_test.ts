import assert from "node:assert/strict";
import { type CommandRunner, runCommand } from "@/services/jobs/mod.ts";
import { parsePingOutput, pingArgs, pingProbe } from "./ping_probe.ts";

Deno.test("pingArgs sends one request, numeric output, family forced, address after --", () => {
  assert.deepEqual(pingArgs("198.51.100.7", 300), [
    "-n",
    "-c",
    "1",
    "-W",
    "0.300",
    "-4",
    "--",
    "198.51.100.7",
  ]);
  assert.deepEqual(pingArgs("2001:db8::7", 1500).slice(4), ["1.500", "-6", "--", "2001:db8::7"]);
  assert.equal(pingArgs("198.51.100.7", 300, true)[4], "1");
  assert.equal(pingArgs("198.51.100.7", 2500, true)[4], "3");
});

Deno.test("a reply is up with its round-trip time", () => {
  // iputils 20221126 output.
  const probe = parsePingOutput("198.51.100.1", {
    code: 0,
    stdout: "PING 198.51.100.1 (198.51.100.1) 56(84) bytes of data.\n" +
      "64 bytes from 198.51.100.1: icmp_seq=1 ttl=64 time=0.551 ms\n\n" +
      "--- 198.51.100.1 ping statistics ---\n" +
      "1 packets transmitted, 1 received, 0% packet loss, time 0ms\n" +
      "rtt min/avg/max/mdev = 0.551/0.551/0.551/0.000 ms\n",
    stderr: "",
  });
  assert.deepEqual(probe, { ip: "198.51.100.1", up: true, latencyMs: 0.551 });
});

Deno.test("no reply (exit 1) is down without an error", () => {
  const probe = parsePingOutput("198.51.100.20", {
    code: 1,
    stdout: "PING 198.51.100.20 (198.51.100.20) 56(84) bytes of data.\n\n" +
      "--- 198.51.100.20 ping statistics ---\n" +
      "1 packets transmitted, 0 received, 100% packet loss, time 0ms\n",
    stderr: "",
  });
  assert.deepEqual(probe, { ip: "198.51.100.20", up: false, latencyMs: null });
});

Deno.test("missing permission and missing binary make ping unavailable", () => {
  const denied = parsePingOutput("127.0.0.1", {
    code: 2,
    stdout: "",
    stderr: "ping: socktype: SOCK_RAW\nping: socket: Operation not permitted\n" +
      "ping: => missing cap_net_raw+p capability or setuid?\n",
  });
  assert.equal(denied.unavailable, "not_permitted");
  assert.match(denied.error ?? "", /Operation not permitted/);
  const missing = parsePingOutput("127.0.0.1", {
    code: 127,
    stdout: "",
    stderr: "",
    notFound: true,
  });
  assert.equal(missing.unavailable, "not_found");
});

Deno.test("a refused fractional -W asks for whole seconds; other failures are errors", () => {
  const bad = parsePingOutput("127.0.0.1", {
    code: 2,
    stdout: "",
    stderr: "ping: invalid argument: '0.300'\n",
  });
  assert.equal(bad.badTimeout, true);
  const family = parsePingOutput("2001:db8::5", {
    code: 2,
    stdout: "",
    stderr: "ping: 2001:db8::5: Address family for hostname not supported\n",
  });
  assert.equal(family.unavailable, undefined);
  assert.match(family.error ?? "", /exit code 2: .*Address family/);
  assert.equal(family.up, false);
});

Deno.test("pingProbe retries an unanswered request and stops at the first reply", async () => {
  const calls: string[][] = [];
  const answers = [1, 1, 0];
  const runner: CommandRunner = (_cmd, args) => {
    calls.push(args);
    const code = answers.shift() ?? 1;
    return Promise.resolve({
      code,
      stdout: code === 0 ? "64 bytes from x: icmp_seq=1 ttl=64 time=2.5 ms\n" : "",
      stderr: "",
    });
  };
  const probe = await pingProbe("198.51.100.9", { runner, timeoutMs: 200, retries: 5 });
  assert.deepEqual(probe, { ip: "198.51.100.9", up: true, latencyMs: 2.5 });
  assert.equal(calls.length, 3);
  const down = await pingProbe("198.51.100.9", { runner, timeoutMs: 200, retries: 1 });
  assert.equal(down.up, false);
  assert.equal(calls.length, 5);
});

Deno.test("pingProbe reaches loopback with the real ping", async () => {
  for (const ip of ["127.0.0.1", "::1"]) {
    const probe = await pingProbe(ip, { runner: runCommand, timeoutMs: 1000, retries: 0 });
    assert.equal(
      probe.unavailable,
      undefined,
      "ping must be installed (apt-get install iputils-ping)",
    );
    assert.equal(probe.up, true, `${ip}: ${probe.error ?? ""}`);
    assert.equal(typeof probe.latencyMs, "number");
  }
});
