import assert from "node:assert/strict";
import { FlowChunkBuilder } from "@/services/netflow/mod.ts";
import { parseMessage } from "./job_messages.ts";
import { flowBatchMessages, FlowMessageSchema, PART_RECORDS } from "./flow_messages.ts";

function chunk(exporter: string, n: number) {
  const b = new FlowChunkBuilder(exporter, n);
  for (let i = 0; i < n; i++) {
    b.push({
      exporter,
      version: 5,
      sourceId: 0,
      srcAddr: "198.51.100.1",
      dstAddr: "203.0.113.2",
      srcPort: i,
      dstPort: 443,
      protocol: 6,
      bytes: 100 + i,
      packets: 1,
      startMs: 1_700_000_000_000,
      endMs: 1_700_000_001_000,
      inputIf: 0,
      outputIf: 0,
      tcpFlags: 0,
      samplingInterval: 1,
    }, 1_700_000_002_000);
  }
  return b.take();
}

Deno.test("a batch is cut into parts of whole chunks with stable ids, and parses back", () => {
  const chunks = [chunk("a", 1024), chunk("b", 1024), chunk("a", 10), chunk("c", 0)];
  const batch = { spoolId: "s1", collector: "edge/x", seq: 42, chunks };
  const msgs = flowBatchMessages(batch, "edge");
  assert.deepEqual(msgs.map((m) => m.id), ["s1:42:0", "s1:42:1"]);
  // The same batch again (after a restart) makes the same messages.
  assert.deepEqual(flowBatchMessages(batch, "edge"), msgs);
  const parsed = msgs.map((m) =>
    parseMessage(FlowMessageSchema, new TextEncoder().encode(m.body), "flow message")
  );
  const counts = parsed.map((p) =>
    p.kind === "flows" ? p.chunks.reduce((n, c) => n + c.count, 0) : -1
  );
  assert.deepEqual(counts, [2048, 10]);
  assert.ok(counts.every((n) => n <= PART_RECORDS));
  assert.ok(msgs.every((m) => m.body.length < 1_000_000), "under NATS's default max_payload");
  assert.deepEqual(flowBatchMessages({ ...batch, chunks: [chunk("a", 0)] }, "edge"), []);
});
