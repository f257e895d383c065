import assert from "node:assert/strict";
import { join } from "node:path";
import { DiskSpool } from "./spool.ts";

const batch = (n: number) => new Uint8Array(n).fill(n % 256).buffer;

Deno.test("the spool hands batches back oldest first and deletes them once released", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flowperf-spool-unit-" });
  try {
    const s = await DiskSpool.open(dir, 1000, 0, 0);
    s.append(1, 3, batch(100));
    s.append(2, 4, batch(200));
    assert.deepEqual([s.stats().files, s.stats().bytes, s.stats().datagrams], [2, 300, 7]);
    const a = await s.next();
    assert.equal(a?.seq, 1);
    assert.equal(a?.buffer.byteLength, 100);
    assert.equal(s.waiting, 1);
    await s.release(1);
    assert.deepEqual([s.stats().files, s.stats().bytes], [1, 200]);
    assert.equal((await s.next())?.seq, 2);
    assert.equal(await s.next(), null);
    await s.release(2);
    await s.settled();
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reopened, the spool drops stored and half-written batches and keeps the rest", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flowperf-spool-unit-" });
  try {
    const s = await DiskSpool.open(dir, 10_000, 0, 0);
    for (let seq = 1; seq <= 4; seq++) s.append(seq, 1, batch(10 * seq));
    await s.settled();
    await Deno.writeFile(join(dir, "0000000000000005-1.batch.tmp"), new Uint8Array(3));
    // Batches 1–2 stored (stored_seq 2), 3 already on its way to the database, 4 waiting.
    const again = await DiskSpool.open(dir, 10_000, 2, 3);
    assert.equal(again.lastSeq, 4);
    assert.equal(again.waiting, 1);
    assert.equal((await again.next())?.seq, 4);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "0000000000000003-1.batch",
      "0000000000000004-1.batch",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the spool's bound: fits() says no past maxBytes; refusals are counted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flowperf-spool-unit-" });
  try {
    const s = await DiskSpool.open(dir, 250, 0, 0);
    assert.ok(s.fits(250));
    s.append(1, 1, batch(200));
    assert.equal(s.fits(51), false);
    s.refuse(5, 51);
    assert.deepEqual([s.stats().refusedDatagrams, s.stats().refusedBytes], [5, 51]);
    await s.settled();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
