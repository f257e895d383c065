// Sweep results ingested per second: through NATS JetStream (published by a scanner, consumed by
// the ingest role, written to PostgreSQL) against the single-process path (a local sweep applying
// its results directly), measured in the same run on the same database engine.
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { openKvStateStore } from "@/services/store/mod.ts";
import { createSubnet, knownHostsIn, SubnetInputSchema } from "@/services/ipam/mod.ts";
import { applyResults, insertRun, type SweepHostResult } from "@/services/sweeps/mod.ts";
import {
  chunkMsgId,
  ensureResultStream,
  resultSubject,
  startIngest,
  type SweepResultMessage,
} from "@/services/cluster/mod.ts";
import { openTestDb } from "../tests/support/test_db.ts";
import { startNats } from "../tests/support/nats_server.ts";

type Raw = { name: string; ms?: number; value?: number; unit?: string; note?: string };

/** A /24 of loopback where every address answered. */
function verdicts(prefix: string): SweepHostResult[] {
  return Array.from({ length: 254 }, (_, i) => ({
    ip: `${prefix}.${i + 1}`,
    up: true,
    latencyMs: 0.05,
    method: "fping" as const,
  }));
}

export async function benchClusterIngest(quick: boolean): Promise<Raw[]> {
  const subnets = quick ? 4 : 16;
  const rounds = 2; // the first round discovers the hosts, the second updates them
  const engine = Deno.env.get("PINGFOLD_TEST_ENGINES") === "pglite" ? "pglite" : "postgres";
  const { db, dispose } = await openTestDb(engine);
  const kv = await openKvStateStore(":memory:");
  const dir = await Deno.makeTempDir({ prefix: "scale-bench-" });
  const nats = startNats(dir);
  try {
    await nats.ready();
    const make = async (second: number) => {
      const out = [];
      for (let i = 0; i < subnets; i++) {
        const cidr = `127.${second}.${i}.0/24`;
        out.push(await createSubnet(db, SubnetInputSchema.parse({ cidr, scan_enabled: true })));
      }
      return out;
    };

    // Single process: apply and record each sweep as sweep_service does.
    const local = await make(91);
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const s of local) {
        const known = new Map((await knownHostsIn(db, s.cidr)).map((h) => [h.ip, h]));
        const results = verdicts(s.cidr.replace(/\.0\/24$/, ""));
        const o = await applyResults({ db, kv }, {
          results,
          ts: Date.now(),
          known,
          discover: true,
        });
        await insertRun(db, {
          kind: "subnet",
          trigger: "schedule",
          subnetId: s.id,
          hostId: null,
          target: s.cidr,
          startedAt: Date.now(),
          finishedAt: Date.now(),
          method: "fping",
          targets: 254,
          hostsUp: o.up,
          hostsDown: o.down,
          hostsNew: o.discovered.length,
          flips: o.flips.length,
          errors: [],
          notes: [],
          status: "succeeded",
          instance: "bench",
          taskId: null,
        });
      }
    }
    const localMs = performance.now() - t0;

    // Through NATS: publish every result (as scanners do), ingest consumes until all are written.
    const remote = await make(92);
    const nc = await connect({ servers: nats.url });
    const js = jetstream(nc);
    await ensureResultStream(await jetstreamManager(nc), 1);
    const t1 = performance.now();
    let seq = 0;
    for (let r = 0; r < rounds; r++) {
      for (const s of remote) {
        const msg: SweepResultMessage = {
          v: 2,
          chunk: 0,
          chunks: 1,
          result_id: `bench-${s.id}-${r}`,
          job_id: `bench-${s.id}-${r}`,
          site: "local",
          subnet_id: s.id,
          cidr: s.cidr,
          seq: seq++,
          instance: "bench",
          origin: "job",
          started_at: Date.now(),
          finished_at: Date.now(),
          status: "succeeded",
          method: "fping",
          targets: 254,
          results: verdicts(s.cidr.replace(/\.0\/24$/, "")),
          errors: [],
          notes: [],
        };
        await js.publish(resultSubject("local"), JSON.stringify(msg), {
          msgID: chunkMsgId(msg.result_id, 0),
        });
      }
    }
    const ingest = startIngest(js, { db, kv });
    const total = subnets * rounds;
    for (let i = 0; i < 6000; i++) {
      const [{ n }] = await db.query<{ n: number }>(
        "select count(*)::int as n from ingested_result",
      );
      if (n >= total) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const natsMs = performance.now() - t1;
    await ingest.stop();
    await nc.close();

    const perS = (ms: number) => total / (ms / 1000);
    const hosts = (ms: number) => (total * 254) / (ms / 1000);
    return [
      {
        name: "single-process sweep results applied",
        value: perS(localMs),
        unit: "results/s",
        note: `${Math.round(hosts(localMs))} host verdicts/s, ${engine}`,
      },
      {
        name: "through NATS JetStream + ingest",
        value: perS(natsMs),
        unit: "results/s",
        note: `${Math.round(hosts(natsMs))} host verdicts/s, ${engine}`,
      },
      {
        name: "NATS path / single process",
        value: localMs / natsMs,
        unit: "ratio",
        note: `${total} results of 254 hosts each`,
      },
    ];
  } finally {
    nats.kill();
    await kv.close();
    await dispose();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  console.log(await benchClusterIngest(Deno.env.get("BENCH_QUICK") === "1"));
}
