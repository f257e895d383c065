// The folded view with live state on both engines: host and gap rows, ordering, paging, expand.
import { openKvStateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import type { Db } from "@/services/store/mod.ts";
import { HostInputSchema, SubnetInputSchema } from "./input_schemas.ts";
import { createSubnet } from "./subnet_repo.ts";
import { createHost } from "./host_repo.ts";
import { HOST_STATE_PREFIX } from "./host_state.ts";
import {
  type AddressRow,
  expandFree,
  loadSubnetAddresses,
  parseRangeParam,
} from "./subnet_view.ts";
import { listSubnetSummaries, treeDepths } from "./subnet_summary.ts";

async function setup(db: Db) {
  const s = await createSubnet(db, SubnetInputSchema.parse({ cidr: "198.51.100.0/24" }));
  for (const ip of ["198.51.100.1", "198.51.100.2", "198.51.100.10", "198.51.100.200"]) {
    await createHost(db, HostInputSchema.parse({ ip, hostname: `h-${ip.split(".")[3]}` }));
  }
  const kv = await openKvStateStore(":memory:");
  await kv.set([HOST_STATE_PREFIX, "198.51.100.10"], {
    up: true,
    latency_ms: 0.8,
    since: Date.UTC(2024, 0, 1),
    last_seen: Date.UTC(2024, 0, 2),
    method: "icmp",
  });
  await kv.set([HOST_STATE_PREFIX, "198.51.100.2"], {
    up: false,
    latency_ms: null,
    since: Date.UTC(2024, 0, 3),
    last_seen: null,
    method: "icmp",
  });
  return { s, kv };
}

const brief = (r: AddressRow) =>
  r.kind === "gap" ? `gap ${r.first}-${r.last} ${r.count}` : `${r.ip} ${r.status}`;

dbTest(
  "folded rows: hosts with status, gaps with exact counts, next free, utilization",
  async (db) => {
    const { s, kv } = await setup(db);
    try {
      const view = await loadSubnetAddresses(db, kv, s);
      assert.deepEqual(view.rows.map(brief), [
        "198.51.100.1 unknown",
        "198.51.100.2 down",
        "gap 198.51.100.3-198.51.100.9 7",
        "198.51.100.10 up",
        "gap 198.51.100.11-198.51.100.199 189",
        "198.51.100.200 unknown",
        "gap 198.51.100.201-198.51.100.254 54",
      ]);
      const up = view.rows[3] as { latency_ms: number; last_seen_at: string; status_since: string };
      assert.equal(up.latency_ms, 0.8);
      assert.equal(up.last_seen_at, "2024-01-02T00:00:00.000Z");
      assert.equal(up.status_since, "2024-01-01T00:00:00.000Z");
      assert.equal(view.next_free, "198.51.100.3");
      assert.deepEqual(view.utilization, {
        size: "256",
        usable: "254",
        used: "4",
        alive: "1",
        free: "250",
        percent_used: 1.57,
      });

      const alive = await loadSubnetAddresses(db, kv, s, { order: "alive_first", limit: 4 });
      assert.deepEqual(alive.rows.map(brief), [
        "198.51.100.10 up",
        "198.51.100.2 down",
        "198.51.100.1 unknown",
        "198.51.100.200 unknown",
      ]);
      assert.equal(alive.total_rows, 7);
      assert.equal(alive.next_offset, 4);
      const rest = await loadSubnetAddresses(db, kv, s, { order: "alive_first", offset: 4 });
      assert.deepEqual(rest.rows.map((r) => r.kind), ["gap", "gap", "gap"]);
      assert.equal(rest.next_offset, null);
    } finally {
      kv.close();
    }
  },
);

dbTest("windows: fixed-size slices of the exact fold, a jump lands on its window", async (db) => {
  const { s, kv } = await setup(db);
  try {
    // 7 rows in windows of 3: [.1 .2 gap] [.10 gap .200] [gap].
    const second = await loadSubnetAddresses(db, kv, s, { offset: 3, limit: 3 });
    assert.deepEqual(second.rows.map(brief), [
      "198.51.100.10 up",
      "gap 198.51.100.11-198.51.100.199 189",
      "198.51.100.200 unknown",
    ]);
    assert.deepEqual([second.prev_offset, second.next_offset, second.total_rows], [0, 6, 7]);
    // The fold stays exact in every window: the first gap and next free do not move.
    assert.equal(second.next_free, "198.51.100.3");
    assert.equal(second.utilization.used, "4");

    const inGap = await loadSubnetAddresses(db, kv, s, { limit: 3, at: "198.51.100.150" });
    assert.equal(inGap.offset, 3);
    assert.equal(brief(inGap.at_row!), "gap 198.51.100.11-198.51.100.199 189");
    const onHost = await loadSubnetAddresses(db, kv, s, { limit: 3, at: "198.51.100.2" });
    assert.deepEqual([onHost.offset, brief(onHost.at_row!)], [0, "198.51.100.2 down"]);
    const last = await loadSubnetAddresses(db, kv, s, { limit: 3, at: "198.51.100.255" });
    assert.deepEqual([last.offset, brief(last.at_row!)], [
      6,
      "gap 198.51.100.201-198.51.100.254 54",
    ]);
    // Alive first: the jump finds the host wherever its status put it.
    const ranked = await loadSubnetAddresses(db, kv, s, {
      order: "alive_first",
      limit: 1,
      at: "198.51.100.10",
    });
    assert.deepEqual([ranked.offset, brief(ranked.at_row!)], [0, "198.51.100.10 up"]);
    await assert.rejects(
      () => loadSubnetAddresses(db, kv, s, { limit: 3, at: "203.0.113.1" }),
      /203\.0\.113\.1 is not inside 198\.51\.100\.0\/24/,
    );
    await assert.rejects(() => loadSubnetAddresses(db, kv, s, { limit: 3, at: "zzz" }));
  } finally {
    kv.close();
  }
});

dbTest("expandFree pages a gap and leaves out addresses used since it was drawn", async (db) => {
  const { s, kv } = await setup(db);
  kv.close();
  const page = await expandFree(db, s, "198.51.100.3", "198.51.100.9", { limit: 5 });
  assert.deepEqual(page.items, [
    "198.51.100.3",
    "198.51.100.4",
    "198.51.100.5",
    "198.51.100.6",
    "198.51.100.7",
  ]);
  assert.equal(page.total, "7");
  assert.equal(page.next_offset, 5);
  await createHost(db, HostInputSchema.parse({ ip: "198.51.100.9" }));
  const next = await expandFree(db, s, "198.51.100.3", "198.51.100.9", { offset: 5, limit: 5 });
  assert.deepEqual(next.items, ["198.51.100.8"]);
  assert.equal(next.next_offset, null);
  assert.deepEqual(parseRangeParam("2001:db8::1-2001:db8::ff"), {
    first: "2001:db8::1",
    last: "2001:db8::ff",
  });
  assert.throws(() => parseRangeParam("198.51.100.3"), /first-last/);
});

dbTest("a /64 with hosts folds without enumerating it", async (db) => {
  const s = await createSubnet(db, SubnetInputSchema.parse({ cidr: "2001:db8::/64" }));
  await createHost(db, HostInputSchema.parse({ ip: "2001:db8::1" }));
  const kv = await openKvStateStore(":memory:");
  try {
    const view = await loadSubnetAddresses(db, kv, s);
    assert.deepEqual(view.rows.map(brief), [
      "2001:db8::1 unknown",
      "gap 2001:db8::2-2001:db8::ffff:ffff:ffff:ffff 18446744073709551614",
    ]);
    assert.equal(view.utilization.free, "18446744073709551614");
  } finally {
    kv.close();
  }
});

Deno.test("treeDepths follows nesting in address order, per family", () => {
  assert.deepEqual(
    treeDepths([
      { cidr: "10.0.0.0/8" },
      { cidr: "10.0.0.0/16" },
      { cidr: "10.0.1.0/24" },
      { cidr: "10.1.0.0/16" },
      { cidr: "198.51.100.0/24" },
      { cidr: "2001:db8::/48" },
      { cidr: "2001:db8::/64" },
    ]),
    [0, 1, 2, 1, 0, 0, 1],
  );
});

dbTest("summaries carry depth and used/alive/free", async (db) => {
  const { kv } = await setup(db);
  try {
    await createSubnet(db, SubnetInputSchema.parse({ cidr: "198.51.100.192/27" }));
    const list = await listSubnetSummaries(db, kv);
    assert.deepEqual(list.map((s) => [s.cidr, s.depth, s.utilization.used, s.utilization.alive]), [
      ["198.51.100.0/24", 0, "4", "1"],
      ["198.51.100.192/27", 1, "1", "0"],
    ]);
    assert.equal(list[1].utilization.free, "29");
  } finally {
    kv.close();
  }
});
