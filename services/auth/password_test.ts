import assert from "node:assert/strict";
import { argon2Verify } from "hash-wasm";
import { AppError } from "@/services/errors.ts";
import {
  hashPassword,
  needsRehash,
  parsePasswordHash,
  validateNewPassword,
  verifyPassword,
} from "./password.ts";

Deno.test("hashPassword writes an argon2id PHC string at the OWASP cost", async () => {
  const hash = await hashPassword("correct horse battery");
  assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  const parsed = parsePasswordHash(hash)!;
  assert.equal(parsed.salt.length, 16);
  assert.equal(parsed.hash.length, 32);
  // Readable by another verifier of the standard format.
  assert.equal(await argon2Verify({ password: "correct horse battery", hash }), true);
});

Deno.test("the same password hashes differently each time (random salt)", async () => {
  const [a, b] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
  assert.notEqual(a, b);
  assert.notEqual(parsePasswordHash(a)!.salt.join(), parsePasswordHash(b)!.salt.join());
});

Deno.test("verifyPassword accepts the password and rejects near misses", async () => {
  const hash = await hashPassword("Tr0ub4dor&3-long");
  assert.equal(await verifyPassword("Tr0ub4dor&3-long", hash), true);
  assert.equal(await verifyPassword("Tr0ub4dor&3-lonG", hash), false);
  assert.equal(await verifyPassword("", hash), false);
});

Deno.test("verifyPassword checks hashes made by other argon2 implementations", async () => {
  // argon2-cffi (reference C library) and Go x/crypto/argon2 outputs, other costs than ours.
  const cffi =
    "$argon2id$v=19$m=32768,t=16,p=2$Rfy6J41W9idBU+n/8sZc6Q$i3QYYPtoogIAw78I2qqlUQ8vjzUXGG1V6QsBOq2NIp4";
  const go =
    "$argon2id$v=19$m=3906,t=4,p=1$ejcSAnKlTR6fhI0SRV7cUw$6EvE9S1qgsA8PoS96uZzuBGZZWCaeK91CHdHHYzn/mA";
  assert.equal(await verifyPassword("password", cffi), true);
  assert.equal(await verifyPassword("passwore", cffi), false);
  assert.equal(await verifyPassword("mySuperPass", go), true);
  assert.equal(needsRehash(go), true);
});

Deno.test("malformed, foreign or absurd hashes verify as false instead of throwing", async () => {
  for (
    const bad of [
      "",
      "plaintext",
      "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
      "$argon2id$v=16$m=19456,t=2,p=1$c29tZXNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "$argon2id$v=19$m=19456,t=0,p=1$c29tZXNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "$2b$12$abcdefghijklmnopqrstuuJ1Bq8Xv1L1GZ9qkq7o2ZLq7gXg2o7a2",
    ]
  ) {
    assert.equal(await verifyPassword("password", bad), false, bad);
    assert.equal(needsRehash(bad), true, bad);
  }
});

Deno.test("needsRehash is false for a hash made today", async () => {
  assert.equal(needsRehash(await hashPassword("fresh enough pw")), false);
});

function weakCode(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AppError);
    assert.equal(e.status, 422);
    return `${e.code}: ${e.message}`;
  }
  return "accepted";
}

Deno.test("validateNewPassword refuses short, long, username-equal and common passwords", () => {
  assert.match(weakCode(() => validateNewPassword("short1234")), /weak_password: .*too short: 9/);
  assert.match(weakCode(() => validateNewPassword("x".repeat(257))), /too long: 257/);
  assert.match(
    weakCode(() => validateNewPassword("Alice.Smith", { username: "alice.smith" })),
    /same as the username/,
  );
  assert.match(weakCode(() => validateNewPassword("Password123")), /commonly used/);
  assert.match(weakCode(() => validateNewPassword("1234567890")), /commonly used/);
  assert.match(weakCode(() => validateNewPassword("aaaaaaaaaaaa")), /distinct/);
  // The product's default password is always refused, whatever the username.
  assert.match(weakCode(() => validateNewPassword("admin", { username: "bob" })), /too short/);
  assert.match(weakCode(() => validateNewPassword("AdminAdmin", { username: "bob" })), /common/);
});

Deno.test("validateNewPassword accepts reasonable passwords, counting characters not bytes", () => {
  assert.equal(
    weakCode(() => validateNewPassword("blue-kettle-42", { username: "bob" })),
    "accepted",
  );
  // 10 emoji are 10 characters (40 UTF-8 bytes, 20 UTF-16 units).
  assert.equal(weakCode(() => validateNewPassword("🔒🔑🌍🚀🎉🐢🍀🌈⚡🎲")), "accepted");
  assert.match(weakCode(() => validateNewPassword("🔒🔑🌍🚀🎉🐢🍀🌈⚡")), /too short: 9/);
  assert.equal(weakCode(() => validateNewPassword("ab1".repeat(85) + "z")), "accepted");
});
