// Real-exporter check: softflowd turns a pcap we wrote into NetFlow v5 / v9 / IPFIX sent to a
// loopback UDP socket, and the decoder must account for exactly the pcap's flows, packets, bytes.
import assert from "node:assert/strict";
import { join } from "node:path";
import { createFlowDecoder } from "./flow_decoder.ts";
import type { FlowRecord } from "./flow_record.ts";
import {
  findSoftflowd,
  softflowdArgs,
  type SyntheticFlow,
  writePcapFile,
} from "@/tests/support/netflow/mod.ts";
import { childEnv } from "@/services/jobs/mod.ts";

const QUIET_MS = 400;
const DEADLINE_MS = 20_000;

function syntheticFlows(withIpv6: boolean): SyntheticFlow[] {
  const flows: SyntheticFlow[] = [];
  for (let i = 0; i < 240; i++) {
    flows.push({
      src: `127.0.2.${1 + (i % 200)}`,
      dst: `198.51.100.${1 + (i % 7)}`,
      srcPort: 20000 + i,
      dstPort: i % 3 === 0 ? 53 : 443,
      protocol: i % 3 === 0 ? 17 : 6,
      packets: 1 + (i % 9),
      payloadSizes: [i % 50, 1400, 0, 512 + i],
    });
  }
  if (withIpv6) {
    for (let i = 0; i < 60; i++) {
      flows.push({
        src: `2001:db8::${(i + 1).toString(16)}`,
        dst: `2001:db8:0:1::${(i % 5) + 1}`,
        srcPort: 30000 + i,
        dstPort: i % 2 === 0 ? 123 : 22,
        protocol: i % 2 === 0 ? 17 : 6,
        packets: 1 + (i % 4),
        payloadSizes: [48, 1200],
      });
    }
  }
  // A long flow so counters exceed one byte and one 16-bit value in places.
  flows.push({
    src: "203.0.113.5",
    dst: "198.51.100.9",
    srcPort: 5001,
    dstPort: 5002,
    protocol: 6,
    packets: 60,
    payloadSizes: [1460],
  });
  return flows;
}

async function exportWithSoftflowd(version: "5" | "9" | "10", extraArgs: string[] = []) {
  const softflowd = findSoftflowd();
  const dir = await Deno.makeTempDir({ prefix: "pingfold-softflowd-" });
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const flows = syntheticFlows(version !== "5");
    const startMs = Date.now() - 3_000;
    const pcap = join(dir, "trace.pcap");
    const totals = await writePcapFile(pcap, flows, { startMs });
    const endMs = startMs + (totals.packets - 1); // frames are 1 ms apart
    const port = (socket.addr as Deno.NetAddr).port;
    const child = new Deno.Command(softflowd, {
      // Only PATH and LANG: the test runner's environment is none of softflowd's business.
      clearEnv: true,
      env: childEnv(),
      args: softflowdArgs({
        pcap,
        port,
        version,
        pidFile: join(dir, "softflowd.pid"),
        extraArgs,
      }),
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let exited = false;
    const output = child.output().finally(() => (exited = true));

    const decoder = createFlowDecoder({ now: Date.now });
    const records: FlowRecord[] = [];
    let datagrams = 0;
    const deadline = Date.now() + DEADLINE_MS;
    let next = socket.receive();
    // Receive until softflowd has exited and the socket has been quiet for a while (bounded).
    while (Date.now() < deadline) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const quiet = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), QUIET_MS);
      });
      const got = await Promise.race([next, quiet]);
      clearTimeout(timer);
      if (got === null) {
        if (exited) break;
        continue;
      }
      datagrams++;
      records.push(...decoder.decode(got[0], "127.0.0.1"));
      next = socket.receive();
    }
    const timedOut = !exited;
    if (timedOut) child.kill("SIGKILL");
    socket.close();
    await next.catch(() => {}); // the pending receive rejects once the socket is closed
    const result = await output;
    if (timedOut) throw new Error(`softflowd did not finish within ${DEADLINE_MS} ms`);
    const log = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
    return { flows, totals, startMs, endMs, records, datagrams, decoder, code: result.code, log };
  } finally {
    try {
      socket.close();
    } catch {
      // already closed
    }
    await Deno.remove(dir, { recursive: true });
  }
}

async function assertSoftflowdTotals(version: "5" | "9" | "10", extraArgs: string[] = []) {
  const run = await exportWithSoftflowd(version, extraArgs);
  const where = `softflowd -v ${version} ${extraArgs.join(" ")} (exit ${run.code}):\n${run.log}`;
  assert.equal(run.code, 0, where);
  assert.ok(run.datagrams > 1, `expected several export datagrams, got ${run.datagrams}\n${where}`);
  const decoded = {
    flows: run.records.length,
    packets: run.records.reduce((n, r) => n + r.packets, 0),
    ipBytes: run.records.reduce((n, r) => n + r.bytes, 0),
  };
  assert.deepEqual(decoded, run.totals, where);

  // Every synthetic flow came back once, with its own packet count, as canonical addresses.
  const byKey = new Map(run.records.map((r) => [
    `${r.protocol} ${r.srcAddr} ${r.srcPort} ${r.dstAddr} ${r.dstPort}`,
    r,
  ]));
  for (const f of run.flows) {
    const r = byKey.get(`${f.protocol} ${f.src} ${f.srcPort} ${f.dst} ${f.dstPort}`);
    assert.ok(r, `flow ${f.src}:${f.srcPort} -> ${f.dst}:${f.dstPort} missing`);
    assert.equal(r.packets, f.packets);
    assert.equal(r.version, Number(version));
    assert.equal(r.samplingInterval, 1);
    // v9 headers carry whole seconds only, so its absolute times may read up to 1 s early.
    assert.ok(r.startMs >= run.startMs - 1_000 && r.startMs <= r.endMs, `start ${r.startMs}`);
    assert.ok(r.endMs <= run.endMs + 1_000, `end ${r.endMs} after the capture ${run.endMs}`);
  }

  const c = run.decoder.counters()["127.0.0.1"];
  assert.equal(c.packets, run.datagrams);
  assert.equal(c.records, run.records.length);
  assert.equal(c.malformed, 0);
  assert.equal(c.unknownTemplate, 0);
  assert.equal(c.sequenceGaps, 0);
  assert.equal(c.internalErrors, 0);
}

Deno.test("softflowd NetFlow v5 export decodes to the pcap's exact totals", async () => {
  await assertSoftflowdTotals("5");
});

Deno.test("softflowd NetFlow v9 export decodes to the pcap's exact totals", async () => {
  await assertSoftflowdTotals("9");
});

Deno.test("softflowd IPFIX export decodes to the pcap's exact totals", async () => {
  await assertSoftflowdTotals("10");
});

Deno.test("softflowd IPFIX with absolute millisecond timestamps (-A milli)", async () => {
  await assertSoftflowdTotals("10", ["-A", "milli"]);
});
