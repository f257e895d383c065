import assert from "node:assert/strict";
import { hexDumpLines, hexLine } from "./hex_dump.ts";

Deno.test("hexLine shows every byte up to the limit and says how many were left out", () => {
  const bytes = new Uint8Array([0x00, 0x09, 0xff, 0x10, 0x7f]);
  assert.equal(hexLine(bytes), "00 09 ff 10 7f");
  assert.equal(hexLine(bytes, 2), "00 09 … (+3 bytes)");
  assert.equal(hexLine(bytes, 0), "… (+5 bytes)");
  assert.equal(hexLine(bytes, 99), "00 09 ff 10 7f");
  assert.equal(hexLine(new Uint8Array(0), 8), "");
});

Deno.test("hexDumpLines gives offset, hex and printable ASCII per 16 bytes", () => {
  const bytes = new TextEncoder().encode("NetFlow v9 packet\n\u0001");
  const lines = hexDumpLines(bytes);
  assert.equal(lines.length, 2);
  assert.equal(
    lines[0],
    "00000000  4e 65 74 46 6c 6f 77 20  76 39 20 70 61 63 6b 65  |NetFlow v9 packe|",
  );
  assert.ok(lines[1].startsWith("00000010  74 0a 01 "), lines[1]);
  assert.ok(lines[1].endsWith("|t..|"), lines[1]);
  // Short rows are padded so the ASCII column lines up.
  assert.equal(lines[1].length, lines[0].length - 13);
});
