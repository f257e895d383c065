import { openKvStateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { openTestDb } from "@/tests/support/test_db.ts";
import { parseConfig } from "@/services/config/config.ts";
import { createDeps, type Deps } from "@/services/services.ts";
import { startDiscoveryScheduler, startLiveShutdownHook } from "./sweep_starter.ts";

async function deps(env: Record<string, string>) {
  const { db, dispose } = await openTestDb("pglite");
  const kv = await openKvStateStore(":memory:");
  const d: Deps = createDeps({
    cfg: parseConfig({ PTR_LOOKUP_ENABLED: "0", ...env }),
    db,
    kv,
    now: Date.now,
    version: "test",
  });
  return {
    d,
    async [Symbol.asyncDispose]() {
      kv.close();
      await dispose();
    },
  };
}

Deno.test("DISABLE_SCHEDULER leaves the scheduler off", async () => {
  await using ctx = await deps({ DISABLE_SCHEDULER: "1" });
  assert.equal(await startDiscoveryScheduler(ctx.d), null);
  assert.equal(ctx.d.services.sweepScheduler, null);
});

Deno.test({
  name: "the scheduler sweeps a due subnet right after start and stops cleanly",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using ctx = await deps({ DISABLE_SCHEDULER: "0", PING_TIMEOUT_MS: "300" });
    const [{ id }] = await ctx.d.db.query<{ id: number }>(
      `insert into subnet (cidr, scan_enabled, scan_interval_s) values ('127.0.7.0/30', true, 60)
       returning id`,
    );
    const task = await startDiscoveryScheduler(ctx.d);
    assert.ok(task);
    const scheduler = ctx.d.services.sweepScheduler!;
    // The first tick is queued at start; tick once more to be sure it ran, then wait for sweeps.
    await scheduler.tick();
    await scheduler.idle();
    const runs = await ctx.d.db.query<{ trigger: string; hosts_up: number }>(
      `select trigger, hosts_up from scan_run where subnet_id = $1`,
      [id],
    );
    assert.deepEqual(runs, [{ trigger: "schedule", hosts_up: 2 }]);
    await task.stop();
    assert.equal(ctx.d.services.sweepScheduler, null);
  },
});

Deno.test("the shutdown hook closes live streams", async () => {
  await using ctx = await deps({});
  const hook = await startLiveShutdownHook(ctx.d);
  const hub = ctx.d.services.sweeps.live;
  let closed = false;
  hub.onClose(() => (closed = true));
  await hook!.stop();
  assert.equal(closed, true);
});
