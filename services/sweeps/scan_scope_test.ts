import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import {
  assertInScope,
  DEFAULT_SCAN_SCOPE,
  inScope,
  outOfScopeError,
  parseScanScope,
  scopeCidrs,
} from "./scan_scope.ts";

const DEFAULT = parseScanScope(DEFAULT_SCAN_SCOPE);

Deno.test("the default scope is loopback and the private ranges", () => {
  for (
    const ip of ["127.0.0.1", "::1", "10.2.3.4", "172.31.255.255", "192.168.1.1", "100.64.0.1"]
  ) {
    assert.equal(inScope(ip, DEFAULT), true, ip);
  }
  for (const ip of ["fd00::1", "fc00::5", "fe80::1", "::ffff:10.0.0.1", "10.0.0.0/24"]) {
    assert.equal(inScope(ip, DEFAULT), true, ip);
  }
  for (
    const ip of [
      "8.8.8.8",
      "172.32.0.1",
      "192.0.2.2", // host-network guard: this machine's own address is never in scope
      "198.51.100.1",
      "203.0.113.0/24",
      "2001:db8::1",
      "::2",
      "10.0.0.0/7",
      "0.0.0.0/0",
      "::/0",
      "::ffff:8.8.8.8",
    ]
  ) {
    assert.equal(inScope(ip, DEFAULT), false, ip);
  }
});

Deno.test("a range is in scope only when every address is; adjacent entries add up", () => {
  const scope = parseScanScope("10.0.0.0/9, 10.128.0.0/10 10.192.0.0/10");
  assert.equal(inScope("10.0.0.0/8", scope), true);
  assert.equal(inScope("10.0.0.0/7", scope), false);
  assert.equal(inScope("10.200.0.0/16", scope), true);
  const gap = parseScanScope(["10.0.0.0/9", "10.192.0.0/10"]);
  assert.equal(inScope("10.0.0.0/8", gap), false);
  assert.equal(inScope("10.130.0.1", gap), false);
});

Deno.test("unparsable targets are never in scope", () => {
  for (const t of ["", "10.1", "10.0.0.1/33", "fe80::1%eth0", "host.example", "10.0.0.0/x"]) {
    assert.equal(inScope(t, DEFAULT), false, JSON.stringify(t));
  }
});

Deno.test("parsing normalizes, deduplicates and names bad entries", () => {
  assert.deepEqual(scopeCidrs(parseScanScope("10.1.2.3/8,10.0.0.0/8 198.51.100.7 2001:DB8::/32")), [
    "10.0.0.0/8",
    "198.51.100.7/32",
    "2001:db8::/32",
  ]);
  assert.deepEqual(parseScanScope(""), []);
  assert.throws(() => parseScanScope(["10.0.0.0/8", "bogus", "10.0.0.0/40"]), (e: AppError) => {
    assert.equal(e.status, 422);
    assert.equal(e.code, "invalid_scan_scope");
    assert.match(e.message, /^cidrs: "bogus", "10\.0\.0\.0\/40" are not CIDRs/);
    return true;
  });
});

Deno.test("the out-of-scope error is a 422 that says how to widen the scope", () => {
  const e = outOfScopeError("198.51.100.0/24", DEFAULT, "subnet");
  assert.equal(e.status, 422);
  assert.equal(e.code, "outside_scan_scope");
  assert.match(e.message, /subnet 198\.51\.100\.0\/24 is outside the scan scope/);
  assert.match(e.message, /Settings → Scan scope/);
  assert.match(e.message, /SCAN_SCOPE/);
  assert.throws(() => assertInScope("8.8.8.8", parseScanScope([])), /scan scope is empty/);
  assertInScope("127.0.0.1", DEFAULT);
});
