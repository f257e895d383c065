// Template compilation: offsets, field slots, counter preference, rejected templates.
import assert from "node:assert/strict";
import { CompiledTemplate, compileTemplate, TimeKind } from "./template_compiler.ts";

const f = (id: number, length: number, enterprise = 0) => ({ id, length, enterprise });

function compiled(...args: Parameters<typeof compileTemplate>): CompiledTemplate {
  const t = compileTemplate(...args);
  if (typeof t === "string") throw new Error(t);
  return t;
}

Deno.test("fixed templates get constant offsets and slots for normalized fields", () => {
  const t = compiled(
    256,
    [f(8, 4), f(5, 1), f(12, 4), f(1, 2), f(153, 8), f(22, 4)],
    0,
    false,
    true,
  );
  assert.equal(t.fixedLength, 23);
  assert.deepEqual([...t.offsets], [0, 4, 5, 9, 11, 19]);
  assert.deepEqual([t.src, t.dst, t.bytesA, t.bytesB], [0, 2, 3, -1]);
  assert.deepEqual([t.start, t.startKind, t.end, t.endKind], [
    5,
    TimeKind.Uptime,
    4,
    TimeKind.Milliseconds,
  ]);
  assert.equal(t.isFlow, true);
});

Deno.test("octet counter preference: delta, then initiator+responder, then post, then total", () => {
  const pick = (...ids: number[]) => {
    const t = compiled(256, [f(8, 4), ...ids.map((id) => f(id, 4))], 0, false, true);
    return [t.bytesA, t.bytesB].map((i) => (i < 0 ? -1 : t.fields[i].id));
  };
  assert.deepEqual(pick(85, 23, 232, 231, 1), [1, -1]);
  assert.deepEqual(pick(85, 23, 232, 231), [231, 232]);
  assert.deepEqual(pick(85, 23, 232), [232, -1]);
  assert.deepEqual(pick(85, 23), [23, -1]);
  assert.deepEqual(pick(85), [85, -1]);
});

Deno.test("fields with impossible lengths are not mapped; enterprise fields never are", () => {
  const t = compiled(256, [f(8, 16), f(12, 4, 9), f(1, 9), f(154, 4), f(27, 16)], 0, false, true);
  assert.equal(t.src, 4, "IPv4 slot rejected a 16-byte value, IPv6 source used");
  assert.equal(t.dst, -1);
  assert.equal(t.bytesA, -1);
  assert.equal(t.start, -1);
});

Deno.test("variable-length templates report a minimum length and no fixed length", () => {
  const t = compiled(256, [f(8, 4), f(82, 0xffff), f(12, 4)], 0, false, true);
  assert.equal(t.fixedLength, -1);
  assert.equal(t.minLength, 9);
});

Deno.test("v9 scope fields are scope types, not information elements", () => {
  // Scope type 2 (Interface) must not be read as packetDeltaCount.
  const v9 = compiled(256, [f(2, 4), f(34, 4)], 1, true, false);
  assert.equal(v9.packetsA, -1);
  assert.equal(v9.sampling, 1);
  assert.equal(v9.isFlow, false);
  const ipfix = compiled(256, [f(48, 2), f(34, 4)], 1, true, true);
  assert.equal(ipfix.samplerId, 0);
});

Deno.test("templates that cannot describe records are rejected with a reason", () => {
  assert.match(compileTemplate(255, [f(8, 4)], 0, false, true) as string, /reserved/);
  assert.match(compileTemplate(256, [], 0, false, true) as string, /no fields/);
  assert.match(compileTemplate(256, [f(8, 0)], 0, false, true) as string, /zero-length/);
  assert.match(
    compileTemplate(256, [f(8, 40000), f(12, 40000)], 0, false, true) as string,
    /exceeds/,
  );
  assert.match(
    compileTemplate(256, Array.from({ length: 2000 }, () => f(8, 1)), 0, false, true) as string,
    /at most/,
  );
});
