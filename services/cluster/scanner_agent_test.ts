import assert from "node:assert/strict";
import { jetstream } from "@nats-io/jetstream";
import { natsFixture } from "../../tests/support/nats_fixture.ts";
import { createResultSpool } from "./result_spool.ts";
import { type KnownJob, loadJob, saveJob, startScannerAgent } from "./scanner_agent.ts";
import type { SweepJob } from "./job_messages.ts";

const job: SweepJob = {
  job_id: "1-0",
  site: "local",
  subnet_id: 1,
  cidr: "127.0.90.0/30",
  interval_s: 60,
  issued_at: 0,
  exclude: [],
  known: [],
  max_sweep_prefix: 16,
};

Deno.test({
  name: "scanner: sweeps on its own only while the link is down (a subnet turned off centrally " +
    "stops being swept)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using f = await natsFixture();
    await using kv = await Deno.openKv(":memory:");
    // The scanner last heard of subnet 1 long ago: no job since (scanning off, or no link).
    await kv.set(["cluster_job", 1], { job, received_at: 0 });
    let up = true;
    let sweeps = 0;
    const js = jetstream(f.nc);
    const agent = startScannerAgent({
      js,
      kv,
      spool: createResultSpool(kv, js),
      site: "local",
      instance: "t",
      now: () => 10_000_000,
      linkUp: () => up,
      offlineCheckMs: 20,
      sweepJob: () => {
        sweeps++;
        return Promise.resolve({
          status: "succeeded",
          method: "fping",
          targets: 2,
          results: [],
          errors: [],
          notes: [],
        });
      },
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(sweeps, 0, "link up: only the scheduler's jobs are swept");
      up = false;
      for (let i = 0; i < 100 && sweeps === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(sweeps, 1, "link down: the subnet is swept on its own interval");
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(sweeps, 1, "not again within the interval (the clock stands still)");
    } finally {
      await agent.stop();
    }
  },
});

Deno.test("scanner: the last job of a big subnet is kept in pieces (past 64 KiB) and read back", async () => {
  await using kv = await Deno.openKv(":memory:");
  const big: SweepJob = {
    ...job,
    cidr: "127.91.0.0/17",
    known: Array.from({ length: 32_000 }, (_, i) => `127.91.${i >> 8}.${i & 255}`),
  };
  await saveJob(kv, big, 5);
  const header = (await kv.get<KnownJob>(["cluster_job", 1])).value!;
  assert.ok(header.parts! > 1);
  assert.deepEqual(await loadJob(kv, 1, header), big);
  await saveJob(kv, job, 6);
  const parts = [];
  for await (const e of kv.list({ prefix: ["cluster_job_part", 1] })) parts.push(e.key[2]);
  assert.deepEqual(parts, [6], "the older job's pieces are gone");
  assert.deepEqual(await loadJob(kv, 1, (await kv.get<KnownJob>(["cluster_job", 1])).value!), job);
});
