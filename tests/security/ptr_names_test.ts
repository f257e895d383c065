// Hostile reverse-DNS answers: validated in one linear pass with length caps, lookups bounded.
import { openKvStateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { cleanName, createPtrLookup, type PtrResolver } from "@/services/sweeps/mod.ts";

/** Names a hostile or broken resolver may send, up to 1,000 characters each. */
function hostileNames(): string[] {
  const out: string[] = [];
  for (const n of [10, 30, 31, 63, 64, 200, 253, 254, 500, 1000]) {
    out.push("a".repeat(n) + "!"); // the input that made the old regular expression exponential
    out.push("a".repeat(n));
    out.push("a-".repeat(Math.floor(n / 2)) + "!");
    out.push("a.".repeat(Math.floor(n / 2)) + "!");
    out.push("a.".repeat(Math.floor(n / 2)));
    out.push(".".repeat(n));
    out.push("é".repeat(n));
    out.push(("x".repeat(62) + ".").repeat(Math.ceil(n / 63)).slice(0, n) + "_-");
    out.push("a" + "_".repeat(n - 2) + "a");
    out.push(" ".repeat(n) + "a");
  }
  out.push(
    "a..b",
    "-a.example",
    "a-.example",
    "a.-b",
    "a b",
    "a\u0000b",
    "😀.example",
    "xn--bcher-kva.example",
  );
  return out.map((s) => s.slice(0, 1000));
}

Deno.test("cleanName refuses hostile names in one bounded pass and keeps real ones", () => {
  const names = hostileNames();
  assert.ok(names.length > 100 && names.every((n) => n.length <= 1000));
  for (let round = 0; round < 20; round++) {
    for (const n of names) {
      const clean = cleanName(n);
      if (clean === null) continue;
      assert.ok(clean.length <= 253, `accepted ${clean.length} characters`);
      for (const label of clean.split(".")) {
        assert.ok(label.length >= 1 && label.length <= 63, `label of ${label.length}: ${clean}`);
        assert.match(label, /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/);
      }
    }
  }
  assert.equal(cleanName("a".repeat(30) + "!"), null);
  assert.equal(cleanName("a".repeat(64) + ".example"), null, "a label over 63");
  assert.equal(cleanName("a".repeat(63) + ".example"), "a".repeat(63) + ".example");
  const long = Array.from({ length: 4 }, () => "b".repeat(62)).join(".") + ".c";
  assert.equal(long.length, 253);
  assert.equal(cleanName(long + "."), long, "253 characters plus the root dot");
  assert.equal(cleanName(long + "c"), null, "254 characters");
  assert.equal(cleanName("a..b"), null);
  assert.equal(cleanName("-a.example"), null);
  assert.equal(cleanName("a-.example"), null);
  assert.equal(cleanName("😀.example"), null);
  assert.equal(cleanName("é.example"), null);
  assert.equal(cleanName("xn--bcher-kva.Example."), "xn--bcher-kva.example");
  assert.equal(cleanName("_ldap._tcp.example"), "_ldap._tcp.example");
});

Deno.test("a resolver answering thousands of hostile names yields no name and stays bounded", async () => {
  await using kv = await openKvStateStore(":memory:");
  const junk = hostileNames().filter((n) => cleanName(n) === null);
  let active = 0;
  let peak = 0;
  const resolve: PtrResolver = async () => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setTimeout(r, 1));
    active--;
    // Thousands of names: only the first few are ever looked at.
    return [...junk, ...junk, ...junk, "late.example."];
  };
  const ptr = createPtrLookup({ kv, resolve, maxInFlight: 3 });
  const ips = Array.from({ length: 40 }, (_, i) => `10.9.0.${i + 1}`);
  const [single, many] = await Promise.all([
    Promise.all(ips.slice(0, 20).map((ip) => ptr.lookup(ip))),
    ptr.lookupMany(ips.slice(20), { concurrency: 8 }),
  ]);
  assert.deepEqual(single, Array(20).fill(null));
  assert.deepEqual([...many.names.values()], Array(20).fill(null));
  assert.ok(peak <= 3, `at most 3 lookups at once across callers, saw ${peak}`);
});

Deno.test("a resolver that never answers (and ignores its signal) is cut off at the timeout", async () => {
  await using kv = await openKvStateStore(":memory:");
  const timers: ReturnType<typeof setTimeout>[] = [];
  const resolve: PtrResolver = () =>
    new Promise((resolve) => timers.push(setTimeout(() => resolve(["slow.example"]), 5_000)));
  const ptr = createPtrLookup({ kv, resolve, timeoutMs: 20 });
  try {
    assert.equal(await ptr.lookup("10.9.1.1"), null, "a timeout is no name, not a hang");
  } finally {
    timers.forEach(clearTimeout);
  }
});
