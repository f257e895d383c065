import assert from "node:assert/strict";
import { aesCfb } from "./aes_cfb.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

// NIST SP 800-38A F.3.13 (CFB128-AES128.Encrypt) and F.3.17 (CFB128-AES256.Encrypt).
const PLAIN = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51" +
  "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
const IV = "000102030405060708090a0b0c0d0e0f";

Deno.test("aesCfb matches the NIST CFB128 vectors, both ways", () => {
  const k128 = hex("2b7e151628aed2a6abf7158809cf4f3c");
  const c128 = "3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b" +
    "26751f67a3cbb140b1808cf187a4f4dfc04b05357c5d1c0eeac4c66f9ff7f2e6";
  assert.equal(toHex(aesCfb(k128, hex(IV), hex(PLAIN), true)), c128);
  assert.equal(toHex(aesCfb(k128, hex(IV), hex(c128), false)), PLAIN);

  const k256 = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
  const c256 = "dc7e84bfda79164b7ecd8486985d386039ffed143b28b1c832113c6331e5407b" +
    "df10132415e54b92a13ed0a8267ae2f975a385741ab9cef82031623d55b1e471";
  assert.equal(toHex(aesCfb(k256, hex(IV), hex(PLAIN), true)), c256);
});

Deno.test("aesCfb handles a partial last block (SNMP PDUs are not block-aligned)", () => {
  const key = hex("2b7e151628aed2a6abf7158809cf4f3c");
  const msg = hex(PLAIN.slice(0, 2 * 21));
  const enc = aesCfb(key, hex(IV), msg, true);
  assert.equal(toHex(enc), "3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0");
  assert.equal(toHex(aesCfb(key, hex(IV), enc, false)), toHex(msg));
  assert.throws(() => aesCfb(key.subarray(0, 10), hex(IV), msg, true), /16, 24 or 32 bytes/);
});
