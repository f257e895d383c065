import assert from "node:assert/strict";
import { tcpConnect, type TcpDial, tcpProbe } from "./tcp_probe.ts";

Deno.test("an accepting port is open, a closed one is refused: both are real answers", async () => {
  const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (server.addr as Deno.NetAddr).port;
  try {
    assert.equal(await tcpConnect("127.0.0.1", port, 1000), "open");
    // Port 9 (discard) is closed here; the kernel answers with a RST.
    assert.equal(await tcpConnect("127.0.0.1", 9, 1000), "refused");
    assert.equal(await tcpConnect("::1", 9, 1000), "refused");
  } finally {
    server.close();
  }
});

Deno.test("tcpProbe calls a host up when any port answers and names that port", async () => {
  const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (server.addr as Deno.NetAddr).port;
  try {
    const probe = await tcpProbe("127.0.0.1", { ports: [port], timeoutMs: 1000, retries: 0 });
    assert.equal(probe.up, true);
    assert.equal(probe.port, port);
    assert.equal(probe.outcome, "open");
    assert.equal(typeof probe.latencyMs, "number");
  } finally {
    server.close();
  }
});

Deno.test("a dial that never answers times out, and all rounds are retried", async () => {
  let dials = 0;
  const hang: TcpDial = ({ signal }) => {
    dials++;
    return new Promise((_, reject) => {
      signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    });
  };
  assert.equal(await tcpConnect("198.51.100.50", 22, 20, hang), "timeout");
  dials = 0;
  const probe = await tcpProbe("198.51.100.50", {
    ports: [22, 80, 443],
    timeoutMs: 20,
    retries: 2,
    dial: hang,
  });
  assert.deepEqual(probe, {
    ip: "198.51.100.50",
    up: false,
    latencyMs: null,
    port: null,
    outcome: "timeout",
  });
  assert.equal(dials, 9);
});

Deno.test("an unreachable answer is final: no further rounds", async () => {
  let dials = 0;
  const noRoute: TcpDial = () => {
    dials++;
    return Promise.reject(new Error("No route to host (os error 113)"));
  };
  const probe = await tcpProbe("198.51.100.51", {
    ports: [22, 80],
    timeoutMs: 1000,
    retries: 3,
    dial: noRoute,
  });
  assert.equal(probe.up, false);
  assert.equal(probe.outcome, "unreachable");
  assert.equal(dials, 2);
});

Deno.test("the first answering port cancels the others", async () => {
  const aborted: number[] = [];
  const dial: TcpDial = ({ port, signal }) => {
    if (port === 80) return Promise.reject(new Deno.errors.ConnectionRefused("refused"));
    return new Promise((_, reject) => {
      signal.addEventListener("abort", () => {
        aborted.push(port);
        reject(new DOMException("aborted", "AbortError"));
      });
    });
  };
  const probe = await tcpProbe("198.51.100.52", {
    ports: [22, 80, 443],
    timeoutMs: 60_000,
    retries: 0,
    dial,
  });
  assert.equal(probe.up, true);
  assert.equal(probe.port, 80);
  assert.equal(probe.outcome, "refused");
  assert.deepEqual(aborted.sort(), [22, 443]);
});

Deno.test("an aborted probe stops and says so", async () => {
  const ctl = new AbortController();
  ctl.abort();
  const probe = await tcpProbe("127.0.0.1", {
    ports: [9],
    timeoutMs: 1000,
    retries: 0,
    signal: ctl.signal,
  });
  assert.equal(probe.up, false);
  assert.equal(probe.outcome, "aborted");
});
