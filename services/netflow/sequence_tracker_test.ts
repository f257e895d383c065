// Sequence tracking: v5 flows, v9 packets, IPFIX records under both numbering habits.
import assert from "node:assert/strict";
import {
  IpfixScope,
  IpfixTiming,
  observeIpfix,
  observeV5,
  observeV9,
  SequenceState,
} from "./sequence_tracker.ts";

/** Feeds [seq, allRecords, optionsRecords] messages; returns total loss and what was learned. */
function run(messages: Array<[number, number, number]>) {
  const s = new SequenceState();
  let lost = 0;
  for (const [seq, all, options] of messages) {
    lost += observeIpfix(s, seq, all, all - options, true);
  }
  return { lost, timing: s.timing, scope: s.scope, s };
}

Deno.test("ipfix: RFC 7011 numbering (records before this message) is learned, losses counted", () => {
  // 1 options + 15 flows, then 23, 32, 32 flows; 40 records lost before the last message.
  const { lost, timing, scope } = run([[0, 16, 1], [16, 23, 0], [39, 32, 0], [111, 32, 0]]);
  assert.equal(timing, IpfixTiming.Before);
  assert.equal(scope, IpfixScope.All);
  assert.equal(lost, 40);
});

Deno.test("ipfix: softflowd numbering (flows including this message) gives no false gaps", () => {
  // Sequence numbers as softflowd 1.1 sends them: 1 options record with each template refresh.
  const { lost, timing, scope, s } = run([
    [15, 16, 1],
    [38, 23, 0],
    [70, 32, 0],
    [102, 32, 0],
    [134, 32, 0],
    [150, 16, 0],
    [166, 17, 1],
  ]);
  assert.equal(timing, IpfixTiming.After);
  assert.equal(scope, IpfixScope.Flows);
  assert.equal(lost, 0);
  assert.equal(observeIpfix(s, 166 + 32 + 20, 20, 20, true), 32, "a lost 32-record message");
});

Deno.test("ipfix: messages with uncountable sets neither prove a numbering nor invent losses", () => {
  const s = new SequenceState();
  assert.equal(observeIpfix(s, 0, 3, 3, true), 0);
  assert.equal(observeIpfix(s, 3, 0, 0, false), 0);
  assert.equal(s.timing, IpfixTiming.Unknown);
  // Before-numbering cannot be checked after an uncountable message; after-numbering can.
  assert.equal(observeIpfix(s, 100, 5, 5, true), 92);
});

Deno.test("v5 and v9: reordering, repeats and restarts are not losses; wrap is handled", () => {
  const v5 = new SequenceState();
  observeV5(v5, 0xffffffff - 9, 10);
  assert.equal(observeV5(v5, 0, 30), 0, "wraps from 2^32-10 + 10 to 0");
  assert.equal(observeV5(v5, 40, 30), 10);
  assert.equal(observeV5(v5, 5, 30), 0, "older packet");
  const v9 = new SequenceState();
  observeV9(v9, 7);
  assert.equal(observeV9(v9, 8), 0);
  assert.equal(observeV9(v9, 8), 0);
  assert.equal(observeV9(v9, 12), 3);
  assert.equal(observeV9(v9, 1), 0, "exporter restart");
});
