import assert from "node:assert/strict";
import { EdgeState } from "./edge_state.ts";

Deno.test("an edge collector's state survives a restart: id, delivered and reserved numbers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nfnats-edge-" });
  try {
    const a = await EdgeState.open(dir);
    assert.equal(a.delivered, 0);
    await a.reserve(5);
    assert.ok(a.reserved >= 5);
    const reserved = a.reserved;
    await a.reserve(6); // inside the block: no write needed, nothing changes
    assert.equal(a.reserved, reserved);
    a.markDelivered(3);
    a.markDelivered(2); // never backwards
    await a.flush();
    await a.saveTemplates({ t: 1 });
    const b = await EdgeState.open(dir);
    assert.equal(b.id, a.id);
    assert.equal(b.delivered, 3);
    assert.equal(b.reserved, reserved);
    assert.deepEqual(await b.loadTemplates(), { t: 1 });
    // A lost state starts a new id: its messages never collide with the old ones' claims.
    await Deno.remove(`${dir}/edge_state.json`);
    assert.notEqual((await EdgeState.open(dir)).id, a.id);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
