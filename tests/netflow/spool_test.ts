// The collector's on-disk spool, through the real UDP listener: a burst larger than what the
// database takes is spooled and stored whole once it catches up; a full spool refuses batches and
// counts them; a collector process killed mid-drain stores every spooled record exactly once
// after its restart. Flows go to 127.0.0.1 on ports 18600–18699 only.
import assert from "node:assert/strict";
import { join } from "node:path";
import { dbTest, type Engine, ENGINES, TEST_DATABASE_URL } from "@/tests/support/test_db.ts";
import { startTestCollector, waitFor } from "@/tests/netflow/collector_support.ts";
import { buildV5Packet, type V5Flow } from "@/tests/support/netflow/mod.ts";
import { type Db, openPglite, openPostgres } from "@/services/store/mod.ts";

const RECORDS_PER_DATAGRAM = 30;
/** Each engine's tests use ports of their own (inside 18600–18699). */
const PORTS: Record<Engine, { burst: number; bound: number; kill: number }> = {
  pglite: { burst: 18601, bound: 18602, kill: 18603 },
  postgres: { burst: 18611, bound: 18612, kill: 18613 },
};

/** Datagram `d` of a burst: 30 v5 records, each unique by (source address, source port). */
function datagram(d: number): Uint8Array {
  const flows: V5Flow[] = Array.from({ length: RECORDS_PER_DATAGRAM }, (_, i) => ({
    src: `203.0.113.${1 + (d % 200)}`,
    dst: "198.51.100.7",
    packets: 2,
    bytes: 100 + i,
    first: 900,
    last: 950,
    srcPort: 1 + Math.floor(d / 200) * RECORDS_PER_DATAGRAM + i,
    dstPort: 443,
    protocol: 6,
  }));
  return buildV5Packet(
    { sysUptime: 1000, unixSecs: Math.floor(Date.now() / 1000), sequence: d * 30 },
    flows,
  );
}

/** Sends datagrams [from, to) to the port, in runs of 50 (bounded; loopback only). */
async function send(port: number, from: number, to: number): Promise<void> {
  const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    for (let d = from; d < to; d++) {
      await s.send(datagram(d), { transport: "udp", hostname: "127.0.0.1", port });
      if (d % 50 === 49) await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    s.close();
  }
}

/** A real database whose transactions wait until `open()`: the database "falls behind". */
function gated(db: Db): { db: Db; open(): void } {
  const gate = Promise.withResolvers<void>();
  return {
    db: { ...db, tx: async (fn) => (await gate.promise, db.tx(fn)) },
    open: () => gate.resolve(),
  };
}

async function storedRecords(db: Db): Promise<{ n: number; distinct: number }> {
  const [r] = await db.query<{ n: number; distinct: number }>(
    `select count(*)::int as n, count(distinct (src_addr, src_port))::int as distinct
     from netflow_flow`,
  );
  return r;
}

async function filesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e.name);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out;
}

dbTest(
  "a burst larger than the insert window is spooled and then stored whole",
  async (db, engine) => {
    const dir = await Deno.makeTempDir({ prefix: "flowperf-spool-" });
    const g = gated(db);
    const c = await startTestCollector(g.db, {
      port: PORTS[engine].burst,
      spoolDir: dir,
      spoolWindow: 1,
      spoolBatchBytes: 70_000,
      queueMax: 1000,
      recvBufferBytes: 8 * 1024 * 1024,
    });
    try {
      const datagrams = 400; // 12,000 records, ~590 KB: ~9 batches against a window of 1
      await send(c.port, 0, datagrams);
      await waitFor("every datagram received", () => c.status().datagrams === datagrams, 30_000);
      await waitFor("batches spooled", () => c.status().spool_files >= 5, 30_000);
      assert.ok((await filesIn(join(dir, "test-collector"))).length >= 4);
      g.open();
      await c.sync();
      const s = c.status();
      assert.equal(s.kernel_drops, 0);
      assert.deepEqual(await storedRecords(db), {
        n: datagrams * RECORDS_PER_DATAGRAM,
        distinct: datagrams * RECORDS_PER_DATAGRAM,
      });
      assert.equal(s.totals.records_inserted, datagrams * RECORDS_PER_DATAGRAM);
      assert.equal(s.totals.queue_drops, 0);
      assert.equal(s.spool_refused_datagrams, 0);
      // Files are deleted right after their batch is stored; the depth shown follows shortly.
      await waitFor(
        "spool files deleted",
        async () => (await filesIn(join(dir, "test-collector"))).length === 0,
      );
      await waitFor("spool depth 0", () => c.status().spool_files === 0);
      assert.equal(c.status().spool_bytes, 0);
    } finally {
      g.open();
      await c.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

dbTest(
  "a full spool refuses whole batches and counts them; the rest is stored",
  async (db, engine) => {
    const dir = await Deno.makeTempDir({ prefix: "flowperf-spool-" });
    const g = gated(db);
    const maxBytes = 200_000;
    const c = await startTestCollector(g.db, {
      port: PORTS[engine].bound,
      spoolDir: dir,
      spoolMaxBytes: maxBytes,
      spoolWindow: 1,
      spoolBatchBytes: 70_000,
      recvBufferBytes: 8 * 1024 * 1024,
    });
    try {
      const datagrams = 400;
      await send(c.port, 0, datagrams);
      await waitFor("every datagram received", () => c.status().datagrams === datagrams, 30_000);
      await waitFor("refusals counted", () => c.status().spool_refused_datagrams > 0, 30_000);
      const held = c.status();
      assert.ok(held.spool_bytes <= maxBytes, `spool holds ${held.spool_bytes} > ${maxBytes}`);
      g.open();
      await c.sync();
      const s = c.status();
      const refused = s.spool_refused_datagrams;
      assert.ok(refused > 0 && refused < datagrams);
      const kept = (datagrams - refused) * RECORDS_PER_DATAGRAM;
      assert.deepEqual(await storedRecords(db), { n: kept, distinct: kept });
      await waitFor("spool depth 0", () => c.status().spool_files === 0);
    } finally {
      g.open();
      await c.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/** The standalone collector (scripts/collector.ts) as a child process; resolves once listening. */
async function startProcess(env: Record<string, string>): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../scripts/collector.ts", import.meta.url).pathname],
    env,
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = Date.now() + 90_000;
  while (!text.includes('"msg":"NetFlow collector listening"')) {
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`collector did not start:\n${text}`);
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`collector exited:\n${text}`);
    text += value;
  }
  // Keep draining stderr so the child never blocks on a full pipe.
  (async () => {
    try {
      while (!(await reader.read()).done) { /* discard */ }
    } catch { /* gone */ }
  })();
  return child;
}

for (const engine of ENGINES) {
  Deno.test({
    name: `a collector killed mid-drain stores every spooled record exactly once [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "flowperf-kill-" });
      const spoolDir = join(dir, "spool");
      const port = PORTS[engine].kill;
      const schema = `flowperf_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
      const admin = engine === "postgres" ? openPostgres(TEST_DATABASE_URL, { max: 1 }) : null;
      const env: Record<string, string> = {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        DATA_DIR: join(dir, "data"),
        NETFLOW_BIND_HOST: "127.0.0.1",
        NETFLOW_BIND_PORT: String(port),
        NETFLOW_SPOOL_DIR: spoolDir,
        // Every batch through the disk, one at a time, so a kill finds a spool being drained.
        NETFLOW_SPOOL_WINDOW: "0",
        NETFLOW_SPOOL_BATCH_BYTES: "70000",
        NETFLOW_INSERT_BATCH: "1",
        NETFLOW_RECV_BUFFER_BYTES: String(8 * 1024 * 1024),
        LOG_LEVEL: "info",
      };
      if (admin) {
        await admin.exec(`create schema ${schema}`);
        env.DATABASE_URL = `${TEST_DATABASE_URL}${
          TEST_DATABASE_URL.includes("?") ? "&" : "?"
        }search_path=${schema}`;
      }
      const collectorDir = join(spoolDir, `127.0.0.1_${port}`);
      let child: Deno.ChildProcess | null = null;
      try {
        child = await startProcess(env);
        const datagrams = 1500; // 45,000 records in ~32 spool files
        await send(port, 0, datagrams);
        // Kill it once the drain has begun and before it ends.
        let peak = 0;
        let killedAt = -1;
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
          const n = (await filesIn(collectorDir)).filter((f) => f.endsWith(".batch")).length;
          peak = Math.max(peak, n);
          if (peak >= 10 && n > 0 && n <= peak - 3) {
            child.kill("SIGKILL");
            killedAt = n;
            break;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
        await child.status;
        child = null;
        assert.ok(killedAt > 0, `the drain was not caught mid-way (peak ${peak} files)`);
        // Restart: it deletes the files stored before the kill, replays the rest, then stops.
        child = await startProcess(env);
        await waitFor(
          "spool drained",
          async () =>
            (await filesIn(collectorDir)).filter((f) => f.endsWith(".batch")).length === 0,
          120_000,
        );
        child.kill("SIGTERM");
        await child.status;
        child = null;
        const db = engine === "postgres"
          ? openPostgres(TEST_DATABASE_URL, { schema, max: 1 })
          : await openPglite(join(dir, "data", "pglite"));
        try {
          assert.deepEqual(await storedRecords(db), {
            n: datagrams * RECORDS_PER_DATAGRAM,
            distinct: datagrams * RECORDS_PER_DATAGRAM,
          });
        } finally {
          await db.close();
        }
      } finally {
        if (child) {
          child.kill("SIGKILL");
          await child.status;
        }
        if (admin) {
          await admin.exec(`drop schema if exists ${schema} cascade`).catch(() => {});
          await admin.close();
        }
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
