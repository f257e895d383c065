// Collector throughput, side by side with Debian's nfcapd (nfdump), on the same recorded
// softflowd datagrams replayed over loopback: in-process decode rate, receive+decode rate and
// loss, a 2 s burst at 2,000,000 records/s received → stored (PGlite and PostgreSQL) against
// what nfcapd keeps of the same burst, end-to-end loss at a sustained 100,000 records/s (both
// engines) and 250,000 records/s (PostgreSQL), and the ratios to nfcapd. Run alone:
// deno run -A bench/netflow_bench.ts (BENCH_QUICK=1: 0.5 s burst, 5 s sustained runs, no ladder;
// BENCH_NETFLOW_ROWS=decode,ladder,burst,sustained picks parts, default all of them).
// Replays go to 127.0.0.1 only, on UDP ports 18640–18642 (BENCH_NETFLOW_PORT moves the three),
// bounded in datagrams and time.
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
import { met } from "./verdict.ts";

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
const SUSTAINED_PG_RATE = 250_000;
const BURST_RATE = 2_000_000;
/** Loopback UDP ports of this benchmark (the flowperf range unless BENCH_NETFLOW_PORT is set). */
const PORT_BASE = Number(Deno.env.get("BENCH_NETFLOW_PORT") ?? 18640);
const RECORD_PORT = PORT_BASE;
const COLLECTOR_PORT = PORT_BASE + 1;
const NFCAPD_PORT = PORT_BASE + 2;
/** Parts of the benchmark to run: every one unless BENCH_NETFLOW_ROWS lists some. */
const PARTS = ["decode", "ladder", "burst", "sustained"] as const;
type Part = typeof PARTS[number];
function selectedParts(): Set<Part> {
  const raw = Deno.env.get("BENCH_NETFLOW_ROWS")?.trim();
  if (!raw) return new Set(PARTS);
  const picked = raw.split(",").map((p) => p.trim()).filter((p) => p !== "");
  const bad = picked.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (bad.length > 0) {
    throw new Error(
      `BENCH_NETFLOW_ROWS: unknown part ${bad.join(", ")} (expected ${PARTS.join(", ")})`,
    );
  }
  return new Set(picked as Part[]);
}
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
  const sock = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: RECORD_PORT,
  });
  const port = RECORD_PORT;
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
  /** Datagrams sent that the receive thread did not read (the socket's drop counter says why). */
  datagramsLost: number;
  socketDrops: number;
  queueDrops: number;
  /** Records per second from the first datagram to the last record done. */
  rate: number;
  /** Datagrams the full spool refused. */
  spooledDatagrams: number;
  /** From the last datagram sent to the last record stored. */
  drainMs: number;
}

/**
 * Waits until the collector has stored (or decoded, without persistence) everything it received:
 * sync() waits for the spool to drain, and gives up after 60 s without progress. Returns when
 * the last record was done.
 */
async function settle(c: Collector, persist: boolean): Promise<number> {
  let last = -1;
  let lastChange = performance.now();
  for (let i = 0; i < 10_000; i++) {
    await c.sync();
    const t = sumCounters(Object.values(c.counters()));
    const done = persist ? t.records_inserted : t.records_decoded;
    if (done === last) break;
    last = done;
    lastChange = performance.now();
    await new Promise((r) => setTimeout(r, 100));
  }
  return lastChange;
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
    port: COLLECTOR_PORT,
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
    const end = await settle(collector, persist);
    await collector.sync();
    const t = sumCounters(Object.values(collector.counters()));
    const done = persist ? t.records_inserted : t.records_decoded;
    const s = collector.status();
    return {
      offered: sent.records,
      done,
      kernelLoss: sent.records - t.records_decoded,
      datagramsLost: sent.datagrams - s.datagrams,
      socketDrops: s.kernel_drops,
      queueDrops: t.queue_drops + t.insert_failed,
      rate: done / ((Math.max(end, start + sent.elapsedMs) - start) / 1000),
      spooledDatagrams: s.spool_refused_datagrams,
      drainMs: Math.max(0, end - start - sent.elapsedMs),
    };
  } finally {
    await collector.stop();
  }
}

async function runNfcapd(
  rec: Recording,
  rate: number,
  seconds: number,
  maxDatagrams: number,
): Promise<{ offered: number; stored: number; rate: number }> {
  const dir = await Deno.makeTempDir({ prefix: "pingfold-nfcapd-" });
  const port = NFCAPD_PORT;
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

/** The machine's load average (1, 5, 15 min): the cores are shared, so each run says how busy. */
function loadRow(when: string): BenchRow {
  const [one, five, fifteen] = Deno.readTextFileSync("/proc/loadavg").split(" ").map(Number);
  return {
    name: `load average at ${when}`,
    value: one,
    unit: "1 min",
    note: `5 min ${five}, 15 min ${fifteen}; ${navigator.hardwareConcurrency} cores`,
  };
}

const pct = (lost: number, offered: number) =>
  offered > 0 ? `${((100 * lost) / offered).toFixed(2)}% lost` : "";

/** Max loss-free rate of receive+decode (no storage) and of nfcapd, rate by rate. */
async function ladderRows(v9: Recording): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const stepSeconds = 4;
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
  return rows;
}

export async function benchNetflow(opts: { seconds?: number } = {}): Promise<BenchRow[]> {
  const quick = Deno.env.get("BENCH_QUICK") === "1";
  const seconds = opts.seconds ?? (quick ? 5 : 60);
  const parts = selectedParts();
  setLogLevel("error");
  findSoftflowd(); // fails early, naming the package, when softflowd is missing
  const rows: BenchRow[] = [loadRow("start")];
  const dir = await Deno.makeTempDir({ prefix: "pingfold-nfbench-" });
  try {
    const pcap = join(dir, "bench.pcap");
    await writePcapFile(pcap, benchFlows(), { startMs: Date.now() - 60_000, frameGapMicros: 100 });
    const recs: Recording[] = [];
    for (const v of ["5", "9", "10"]) recs.push(await record(pcap, v, dir));
    for (const r of parts.has("decode") ? recs : []) {
      const total = r.records.reduce((a, b) => a + b, 0);
      const rate = decodeRate(r);
      rows.push({
        name: `decode in-process, softflowd ${r.version === "10" ? "IPFIX" : `v${r.version}`}`,
        value: rate,
        unit: "records/s",
        note: `${r.datagrams.length} datagrams, ${total} records recorded; goal >= 1,000,000 (${
          met(rate >= 1_000_000)
        })`,
      });
    }
    const v9 = recs[1];

    // Max loss-free receive+decode rate over loopback: a ladder of offered rates (full runs only).
    if (!quick && parts.has("ladder")) rows.push(...await ladderRows(v9));

    const engines: Array<[string, () => Promise<{ db: Db; dispose: () => Promise<void> }>]> = [
      ["PGlite", async () => {
        const path = join(dir, "pglite");
        const db = await openPglite(path);
        await migrate(db);
        return { db, dispose: () => db.close() };
      }],
      ["PostgreSQL", () => openTestDb("postgres")],
    ];
    const handles: Record<string, { db: Db; dispose: () => Promise<void> }> = {};
    for (const [name, open] of parts.has("burst") || parts.has("sustained") ? engines : []) {
      try {
        handles[name] = await open();
      } catch (e) {
        rows.push({ name: `end-to-end into ${name}`, value: NaN, unit: "", note: String(e) });
      }
    }
    const empty = (db: Db) =>
      db.exec(`truncate netflow_flow, netflow_pair_minute, netflow_port_minute`);
    try {
      // A burst at 2M records/s, received → stored, against what nfcapd keeps of the same burst.
      const burstSeconds = quick ? 0.5 : 2;
      const burst = `${BURST_RATE.toLocaleString("en-US")} records/s for ${burstSeconds} s`;
      const burstDatagrams = Math.ceil((BURST_RATE * burstSeconds) / 20);
      const nfBurst = have(NFCAPD) && parts.has("burst")
        ? await runNfcapd(v9, BURST_RATE, burstSeconds, burstDatagrams)
        : null;
      if (nfBurst) {
        rows.push({
          name: `nfcapd burst ${burst}`,
          value: nfBurst.stored,
          unit: "records kept",
          note: `of ${nfBurst.offered} sent (${
            pct(nfBurst.offered - nfBurst.stored, nfBurst.offered)
          })`,
        });
      }
      for (const [name, h] of parts.has("burst") ? Object.entries(handles) : []) {
        await empty(h.db);
        const r = await runOurs(h.db, v9, BURST_RATE, burstSeconds, burstDatagrams);
        rows.push({
          name: `burst ${burst} into ${name}, received → stored`,
          value: r.done,
          unit: "records stored",
          note:
            `of ${r.offered} sent (not decoded ${r.kernelLoss}: ${r.datagramsLost} datagrams not ` +
            `read, socket drops ${r.socketDrops}; spool refused ${r.spooledDatagrams} ` +
            `datagrams), stored ${(r.drainMs / 1000).toFixed(1)} s after the burst; goal all (${
              met(r.done === r.offered)
            })`,
        });
        if (nfBurst) {
          // The sender thread may not reach the same count twice on a busy machine: compare the
          // shares of what was sent that each side kept.
          const ours = r.done / Math.max(1, r.offered);
          const theirs = nfBurst.stored / Math.max(1, nfBurst.offered);
          rows.push({
            name: `ratio burst stored ${name} / nfcapd kept (share of sent)`,
            value: ours / Math.max(1e-9, theirs),
            unit: "x",
            note: `${(100 * ours).toFixed(2)}% vs ${(100 * theirs).toFixed(2)}%; goal >= 1 (${
              met(ours >= theirs)
            })`,
          });
        }
      }

      // Sustained: 100k records/s into both engines, 250k records/s into PostgreSQL.
      const runs: Array<[string, number]> = parts.has("sustained")
        ? [
          ["PGlite", SUSTAINED_RATE],
          ["PostgreSQL", SUSTAINED_RATE],
          ["PostgreSQL", SUSTAINED_PG_RATE],
        ]
        : [];
      const nf: Record<number, { offered: number; stored: number; rate: number }> = {};
      for (const rate of parts.has("sustained") ? [SUSTAINED_RATE, SUSTAINED_PG_RATE] : []) {
        if (!have(NFCAPD)) break;
        nf[rate] = await runNfcapd(v9, rate, seconds, Math.ceil((rate * seconds) / 20));
        rows.push({
          name: `nfcapd at ${rate.toLocaleString("en-US")} records/s for ${seconds} s`,
          value: nf[rate].rate,
          unit: "records/s stored",
          note: `loss ${nf[rate].offered - nf[rate].stored} of ${nf[rate].offered}`,
        });
      }
      for (const [name, rate] of runs) {
        const h = handles[name];
        if (!h) continue;
        await empty(h.db);
        const sustained = `${rate.toLocaleString("en-US")} records/s for ${seconds} s`;
        const r = await runOurs(h.db, v9, rate, seconds, Math.ceil((rate * seconds) / 20));
        rows.push({
          name: `end-to-end into ${name} at ${sustained}`,
          value: r.rate,
          unit: "records/s stored",
          note: `loss ${
            r.offered - r.done
          } of ${r.offered} (not decoded ${r.kernelLoss}: ${r.datagramsLost} datagrams not read, socket drops ${r.socketDrops}; refused ${r.spooledDatagrams} datagrams, insert ${r.queueDrops}); goal 0 lost (${
            met(r.done === r.offered)
          })`,
        });
        if (nf[rate]) {
          // Shares of what was sent, as for the burst: the sender may not send the same count twice.
          const ours = r.done / Math.max(1, r.offered);
          const theirs = nf[rate].stored / Math.max(1, nf[rate].offered);
          rows.push({
            name: `ratio end-to-end ${name} / nfcapd at ${rate.toLocaleString("en-US")}/s`,
            value: ours / Math.max(1e-9, theirs),
            unit: "x",
            note: `share of sent stored, ${(100 * ours).toFixed(2)}% vs ${
              (100 * theirs).toFixed(2)
            }%; goal >= 1 (${met(ours >= theirs)})`,
          });
        }
      }
      if (!have(NFCAPD)) {
        rows.push({
          name: "nfcapd",
          value: NaN,
          unit: "",
          note: "not installed (apt-get install nfdump)",
        });
      }
    } finally {
      for (const h of Object.values(handles)) await h.dispose();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  rows.push(loadRow("end"));
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
