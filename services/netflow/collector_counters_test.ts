import assert from "node:assert/strict";
import { emptyCounters } from "./flow_record.ts";
import { COUNTER_NAMES, emptyView, mergeCounters, sumCounters } from "./collector_counters.ts";

Deno.test("mergeCounters joins decoder and batcher counts per exporter", () => {
  const merged = mergeCounters(
    {
      "198.51.100.1": {
        ...emptyCounters(),
        packets: 3,
        records: 60,
        malformed: 1,
        sequenceGaps: 2,
      },
      "198.51.100.2": { ...emptyCounters(), packets: 1, unknownTemplate: 1 },
    },
    {
      "198.51.100.1": { inserted: 50, queueDrops: 10, insertFailed: 0 },
      "198.51.100.3": { inserted: 0, queueDrops: 0, insertFailed: 4 },
    },
  );
  assert.deepEqual(Object.keys(merged).sort(), ["198.51.100.1", "198.51.100.2", "198.51.100.3"]);
  assert.deepEqual(merged["198.51.100.1"], {
    ...emptyView(),
    packets: 3,
    records_decoded: 60,
    records_inserted: 50,
    malformed: 1,
    sequence_gaps: 2,
    queue_drops: 10,
  });
  assert.equal(merged["198.51.100.2"].unknown_template, 1);
  assert.equal(merged["198.51.100.3"].insert_failed, 4);
  const total = sumCounters(Object.values(merged));
  assert.equal(total.packets, 4);
  assert.equal(total.records_inserted, 50);
  assert.equal(total.insert_failed, 4);
  assert.equal(COUNTER_NAMES.length, Object.keys(emptyView()).length);
});
