import assert from "node:assert/strict";
import { timingSafeEqual, timingSafeEqualString } from "./constant_time.ts";
import { base64url, randomToken, sha256Hex } from "./secure_random.ts";

Deno.test("timingSafeEqual is plain equality on bytes and strings", () => {
  assert.equal(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])), true);
  assert.equal(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4])), false);
  assert.equal(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3])), false);
  assert.equal(timingSafeEqual(new Uint8Array(), new Uint8Array()), true);
  assert.equal(timingSafeEqualString("pf_é", "pf_é"), true);
  assert.equal(timingSafeEqualString("pf_é", "pf_e"), false);
});

Deno.test("base64url, randomToken and sha256Hex encode as the standards say", async () => {
  assert.equal(base64url(new Uint8Array([0xfb, 0xff, 0xfe])), "-__-");
  assert.equal(base64url(new Uint8Array([0x66])), "Zg");
  assert.match(randomToken(), /^[A-Za-z0-9_-]{43}$/);
  assert.match(randomToken(16), /^[A-Za-z0-9_-]{22}$/);
  assert.notEqual(randomToken(), randomToken());
  // FIPS 180-2 test vector.
  assert.equal(
    await sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});
