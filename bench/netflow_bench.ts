// Collector throughput, side by side with Debian's nfcapd (nfdump), on the same recorded
// softflowd datagrams replayed over loopback: in-process decode rate, receive+decode rate and
// loss, end-to-end rate and loss with persistence (PGlite and PostgreSQL) at a sustained
// 100,000 records/s, and the ratios to nfcapd. Run alone: deno run -A bench/netflow_bench.ts
// (BENCH_QUICK=1: 5 s per sustained run instead of 60 s). Replays are loopback only and bounded.
import {
  findSoftflowd,
  softflowdArgs,
  type SyntheticFlow,
  writePcapFile,
} from "@/tests/support/netflow/mod.ts";
import { join } from "node:path";
import {
  type Collector,
  createFlowDecoder,
  setReceiveBuffer,
  startCollector,
  sumCounters,
} from "@/services/netflow/mod.ts";
import { type Db, migrate, openPglite } from "@/services/store/mod.ts";
import { openTestDb } from "@/tests/support/test_db.ts";
import { setLogLevel } from "@/services/logger.ts";
import { childEnv } from "@/services/jobs/mod.ts";

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

interface Recording {
  version: string;
  datagrams: Uint8Array[];
  records: number[];
}

interface ReplayResult {
  datagrams: number;
  records: number;
  elapsedMs: number;
}

const SUSTAINED_RATE = 100_000;
/** Offered rates (records/s) of the loss-free ladder; each step runs only if the last was clean. */
const LADDER = [125_000, 250_000, 500_000, 1_000_000, 2_000_000, 4_000_000];
const ladderPrevious = (rate: number) => {
  const i = LADDER.indexOf(rate);
  return i <= 0 ? 0 : LADDER[i - 1];
};
const NFCAPD = "/usr/bin/nfcapd";
const NFDUMP = "/usr/bin/nfdump";

/** 20,000 TEST-NET flows: 2,000 hosts talking to 50 servers on a few ports. */
function benchFlows(): SyntheticFlow[] {
  return Array.from({ length: 20_000 }, (_, i) => ({
    src: `203.0.113.${1 + (i % 250)}`,
    dst: `198.51.100.${1 + (i % 50)}`,
    srcPort: 1024 + Math.floor(i / 250),
    dstPort: [443, 53, 80, 22][i % 4],
    protocol: i % 4 === 1 ? 17 : 6,
    packets: 1 + (i % 3),
    payloadSizes: [100, 1400],
  }));
}

/** Exports the pcap with softflowd and keeps every datagram it sent (decoded once to count). */
async function record(pcap: string, version: string, dir: string): Promise<Recording> {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (sock.addr as Deno.NetAddr).port;
  // softflowd sends most of its flows in one burst when the pcap ends: keep them all.
  setReceiveBuffer(port, 16 * 1024 * 1024);
  const child = new Deno.Command(findSoftflowd(), {
    // Only PATH and LANG: the test runner's environment is none of softflowd's business.
    clearEnv: true,
    env: childEnv(),
    args: softflowdArgs({
      pcap,
      port,
      version,
      pidFile: join(dir, `softflowd-${version}.pid`),
      extraArgs: ["-m", "65536"],
    }),
    stdout: "null",
    stderr: "null",
  }).spawn();
  let exited = false;
  const status = child.status.finally(() => (exited = true));
  const datagrams: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  const deadline = Date.now() + 60_000;
  let next = sock.receive(buffer);
  while (Date.now() < deadline) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const got = await Promise.race([
      next,
      new Promise<null>((r) => (timer = setTimeout(() => r(null), 400))),
    ]);
    clearTimeout(timer);
    if (got === null) {
      if (exited) break;
      continue;
    }
    datagrams.push(got[0].slice());
    next = sock.receive(buffer);
  }
  if (!exited) child.kill("SIGKILL");
  sock.close();
  await next.catch(() => {});
  await status;
  const decoder = createFlowDecoder({ now: Date.now });
  const records = datagrams.map((d) => decoder.decode(d, "127.0.0.1").length);
  return { version, datagrams, records };
}

/** Records per second decoding the recording again and again in this thread (no socket). */
function decodeRate(rec: Recording): number {
  const decoder = createFlowDecoder({ now: Date.now });
  let records = 0;
  const start = performance.now();
  while (performance.now() - start < 1500) {
    for (const d of rec.datagrams) records += decoder.decode(d, "203.0.113.1").length;
  }
  return records / ((performance.now() - start) / 1000);
}

function replay(
  port: number,
  rec: Recording,
  rate: number,
  seconds: number,
  maxDatagrams: number,
): Promise<ReplayResult> {
  const worker = new Worker(new URL("./netflow_replay_worker.ts", import.meta.url).href, {
    type: "module",
  });
  return new Promise<ReplayResult>((resolve, reject) => {
    worker.onmessage = (e) => {
      worker.terminate();
      resolve(e.data as ReplayResult);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
      reject(new Error(e.message));
    };
    worker.postMessage({
      port,
      datagrams: rec.datagrams,
      records: rec.records,
      rate,
      seconds,
      maxDatagrams,
    });
  });
}

interface OursResult {
  offered: number;
  /** Records decoded (decode-only) or stored (persist). */
  done: number;
  kernelLoss: number;
  queueDrops: number;
  /** Records per second from the first datagram to the last record done. */
  rate: number;
}

/**
 * Waits until the collector has accounted for everything it received, or nothing moved for 2 s
 * (what is missing then was lost); returns when the last record was done.
 */
async function settle(c: Collector, persist: boolean, offered: number): Promise<number> {
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    await c.sync(); // fresh counters (and, when storing, a flush of what is queued)
    const t = sumCounters(Object.values(c.counters()));
    const done = persist ? t.records_inserted + t.queue_drops + t.insert_failed : t.records_decoded;
    const now = performance.now();
    if (done !== last) {
      last = done;
      lastChange = now;
    }
    const settled = persist
      ? done >= t.records_decoded && t.records_decoded >= offered
      : done >= offered;
    if (settled || now - lastChange > 2000) return lastChange;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function runOurs(
  db: Db | null,
  rec: Recording,
  rate: number,
  seconds: number,
  maxDatagrams: number,
): Promise<OursResult> {
  const persist = db !== null;
  const collector = await startCollector({ db: db ?? ({} as Db), now: Date.now }, {
    hostname: "127.0.0.1",
    port: 0,
    recvBufferBytes: 16 * 1024 * 1024,
    batchSize: 200,
    flushIntervalMs: 1000,
    queueMax: 100_000,
    retentionDays: 7,
    rollupRetentionDays: 90,
    logLevel: "error",
    dumpHex: false,
    dumpHexLen: 64,
    persist,
    name: "bench",
  });
  try {
    const start = performance.now();
    const sent = await replay(collector.port, rec, rate, seconds, maxDatagrams);
    const end = await settle(collector, persist, sent.records);
    await collector.sync();
    const t = sumCounters(Object.values(collector.counters()));
    const done = persist ? t.records_inserted : t.records_decoded;
    return {
      offered: sent.records,
      done,
      kernelLoss: sent.records - t.records_decoded,
      queueDrops: t.queue_drops + t.insert_failed,
      rate: done / ((Math.max(end, start + sent.elapsedMs) - start) / 1000),
    };
  } finally {
    await collector.stop();
  }
}

function freePort(): number {
  const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (s.addr as Deno.NetAddr).port;
  s.close();
  return port;
}

async function runNfcapd(
  rec: Recording,
  rate: number,
  seconds: number,
  maxDatagrams: number,
): Promise<{ offered: number; stored: number; rate: number }> {
  const dir = await Deno.makeTempDir({ prefix: "pingfold-nfcapd-" });
  const port = freePort();
  const child = new Deno.Command(NFCAPD, {
    args: ["-b", "127.0.0.1", "-p", String(port), "-w", dir, "-B", "16777216", "-t", "3600"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  try {
    // Started once it has created its current file.
    const deadline = Date.now() + 10_000;
    while (![...Deno.readDirSync(dir)].some((e) => e.name.startsWith("nfcapd.current"))) {
      if (Date.now() > deadline) throw new Error("nfcapd did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
    const sent = await replay(port, rec, rate, seconds, maxDatagrams);
    await new Promise((r) => setTimeout(r, 1000)); // let it read what is queued
    child.kill("SIGTERM");
    await output;
    const info = await new Deno.Command(NFDUMP, { args: ["-R", dir, "-I"], stdout: "piped" })
      .output();
    const m = /^Flows: (\d+)$/m.exec(new TextDecoder().decode(info.stdout));
    const stored = m ? Number(m[1]) : 0;
    return { offered: sent.records, stored, rate: stored / (sent.elapsedMs / 1000) };
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await output.catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

function have(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

const pct = (lost: number, offered: number) =>
  offered > 0 ? `${((100 * lost) / offered).toFixed(2)}% lost` : "";

export async function benchNetflow(opts: { seconds?: number } = {}): Promise<BenchRow[]> {
  const quick = Deno.env.get("BENCH_QUICK") === "1";
  const seconds = opts.seconds ?? (quick ? 5 : 60);
  setLogLevel("error");
  findSoftflowd(); // fails early, naming the package, when softflowd is missing
  const rows: BenchRow[] = [];
  const dir = await Deno.makeTempDir({ prefix: "pingfold-nfbench-" });
  try {
    const pcap = join(dir, "bench.pcap");
    await writePcapFile(pcap, benchFlows(), { startMs: Date.now() - 60_000, frameGapMicros: 100 });
    const recs: Recording[] = [];
    for (const v of ["5", "9", "10"]) recs.push(await record(pcap, v, dir));
    for (const r of recs) {
      const total = r.records.reduce((a, b) => a + b, 0);
      rows.push({
        name: `decode in-process, softflowd ${r.version === "10" ? "IPFIX" : `v${r.version}`}`,
        value: decodeRate(r),
        unit: "records/s",
        note: `${r.datagrams.length} datagrams, ${total} records recorded; target >= 1,000,000`,
      });
    }
    const v9 = recs[1];

    // Max loss-free rate over loopback: a ladder of offered rates, each for a few seconds.
    const stepSeconds = quick ? 2 : 4;
    const ladder: string[] = [];
    const nfLadder: string[] = [];
    let oursMax = 0;
    let nfMax = 0;
    for (const rate of LADDER) {
      const maxDatagrams = Math.ceil((rate * stepSeconds) / 20);
      if (oursMax === ladderPrevious(rate)) {
        const r = await runOurs(null, v9, rate, stepSeconds, maxDatagrams);
        const lost = r.offered - r.done;
        ladder.push(`${rate / 1000}k: ${pct(lost, r.offered)}`);
        if (lost === 0) oursMax = rate;
      }
      if (have(NFCAPD) && nfMax === ladderPrevious(rate)) {
        const r = await runNfcapd(v9, rate, stepSeconds, maxDatagrams);
        const lost = r.offered - r.stored;
        nfLadder.push(`${rate / 1000}k: ${pct(lost, r.offered)}`);
        if (lost === 0) nfMax = rate;
      }
    }
    rows.push({
      name: "receive+decode, max loss-free rate over loopback (v9)",
      value: oursMax,
      unit: "records/s",
      note: ladder.join(", "),
    });
    if (have(NFCAPD)) {
      rows.push({
        name: "nfcapd, max loss-free rate over loopback (v9)",
        value: nfMax,
        unit: "records/s",
        note: nfLadder.join(", "),
      });
      rows.push({
        name: "ratio receive+decode / nfcapd (max loss-free rate)",
        value: oursMax / Math.max(1, nfMax),
        unit: "x",
      });
    }

    const sustained = `${SUSTAINED_RATE.toLocaleString("en-US")} records/s for ${seconds} s`;
    const maxDatagrams = Math.ceil((SUSTAINED_RATE * seconds) / 20);
    const decodeOnly = await runOurs(null, v9, SUSTAINED_RATE, seconds, maxDatagrams);
    rows.push({
      name: `decode-only loss at ${sustained}`,
      value: decodeOnly.offered - decodeOnly.done,
      unit: "records",
      note: `${decodeOnly.offered} offered (${
        pct(decodeOnly.offered - decodeOnly.done, decodeOnly.offered)
      })`,
    });

    const engines: Array<[string, () => Promise<{ db: Db; dispose: () => Promise<void> }>]> = [
      ["PGlite", async () => {
        const path = join(dir, "pglite");
        const db = await openPglite(path);
        await migrate(db);
        return { db, dispose: () => db.close() };
      }],
      ["PostgreSQL", () => openTestDb("postgres")],
    ];
    const stored: Record<string, OursResult> = {};
    for (const [name, open] of engines) {
      let handle: { db: Db; dispose: () => Promise<void> };
      try {
        handle = await open();
      } catch (e) {
        rows.push({ name: `end-to-end into ${name}`, value: NaN, unit: "", note: String(e) });
        continue;
      }
      try {
        const r = await runOurs(handle.db, v9, SUSTAINED_RATE, seconds, maxDatagrams);
        stored[name] = r;
        rows.push({
          name: `end-to-end into ${name} at ${sustained}`,
          value: r.rate,
          unit: "records/s stored",
          note: `loss ${
            r.offered - r.done
          } of ${r.offered} (kernel ${r.kernelLoss}, queue ${r.queueDrops}); target 0`,
        });
      } finally {
        await handle.dispose();
      }
    }
    if (have(NFCAPD)) {
      const nf = await runNfcapd(v9, SUSTAINED_RATE, seconds, maxDatagrams);
      rows.push({
        name: `nfcapd at ${sustained}`,
        value: nf.rate,
        unit: "records/s stored",
        note: `loss ${nf.offered - nf.stored} of ${nf.offered}`,
      });
      for (const [name, r] of Object.entries(stored)) {
        rows.push({
          name: `ratio end-to-end ${name} / nfcapd (records stored)`,
          value: r.done / Math.max(1, nf.stored),
          unit: "x",
        });
      }
    } else {
      rows.push({
        name: "nfcapd",
        value: NaN,
        unit: "",
        note: "not installed (apt-get install nfdump)",
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return rows;
}

if (import.meta.main) {
  const rows = await benchNetflow();
  const fmt = (v: number) =>
    !Number.isFinite(v)
      ? "—"
      : Math.abs(v) >= 1000
      ? Math.round(v).toLocaleString("en-US")
      : v.toFixed(Math.abs(v) < 10 ? 3 : 1);
  const table = rows.map((r) => [r.name, fmt(r.value), r.unit, r.note ?? ""]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...table.map((t) => t[i].length)));
  for (const t of table) {
    console.log(
      `| ${t[0].padEnd(widths[0])} | ${t[1].padStart(widths[1])} | ${t[2].padEnd(widths[2])} | ${
        t[3].padEnd(widths[3])
      } |`,
    );
  }
}
