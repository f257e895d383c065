import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import { planSweep } from "./sweep_plan.ts";
import { normalizeIp } from "@/services/ipam/mod.ts";

Deno.test("an IPv4 /24 plan holds the 254 usable addresses in order", () => {
  const plan = planSweep("198.51.100.0/24");
  const targets = [...plan.targets];
  assert.equal(plan.family, 4);
  assert.equal(plan.cidr, "198.51.100.0/24");
  assert.equal(plan.count, 254);
  assert.equal(targets.length, 254);
  assert.equal(targets[0], "198.51.100.1");
  assert.equal(targets[253], "198.51.100.254");
  assert.deepEqual(plan.range, { first: "198.51.100.1", last: "198.51.100.254" });
  assert.ok(!targets.includes("198.51.100.0") && !targets.includes("198.51.100.255"));
  // Re-iterable: a second walk yields the same addresses.
  assert.deepEqual([...plan.targets], targets);
});

Deno.test("/31 and /32 plans include every address", () => {
  assert.deepEqual([...planSweep("203.0.113.6/31").targets], ["203.0.113.6", "203.0.113.7"]);
  assert.deepEqual([...planSweep("203.0.113.9/32").targets], ["203.0.113.9"]);
  assert.deepEqual([...planSweep("203.0.113.4/30").targets], ["203.0.113.5", "203.0.113.6"]);
});

Deno.test("an IPv4 plan crosses octet boundaries and never leaves the subnet", () => {
  const plan = planSweep("10.20.0.0/22");
  const targets = [...plan.targets];
  assert.equal(targets.length, 1022);
  assert.equal(targets[255], "10.20.1.0");
  assert.equal(targets.at(-1), "10.20.3.254");
  for (const ip of targets) assert.match(ip, /^10\.20\.[0-3]\.\d{1,3}$/);
});

Deno.test("a /16 is allowed by default and walked lazily, end to end", () => {
  const plan = planSweep("172.16.0.0/16");
  assert.equal(plan.count, 65534);
  let n = 0;
  let last = "";
  for (const ip of plan.targets) {
    n++;
    last = ip;
  }
  assert.equal(n, 65534);
  assert.equal(last, "172.16.255.254");
});

Deno.test("IPv4 subnets larger than maxSweepPrefix are refused with a way out", () => {
  assertAppError(() => planSweep("10.0.0.0/15"), 422, "subnet_too_large", /MAX_SWEEP_PREFIX=15/);
  assertAppError(() => planSweep("10.0.0.0/8"), 422, "subnet_too_large", /limit of \/16/);
  // Raising the limit lets the same subnet through.
  assert.equal(planSweep("10.0.0.0/15", [], { maxSweepPrefix: 15 }).count, 131070);
  // A stricter limit refuses what the default allows.
  assertAppError(
    () => planSweep("10.0.0.0/20", [], { maxSweepPrefix: 24 }),
    422,
    "subnet_too_large",
    /\/24/,
  );
});

Deno.test("/0 is refused for both families whatever the limit", () => {
  assertAppError(() => planSweep("0.0.0.0/0", [], { maxSweepPrefix: 0 }), 422, "subnet_too_large");
  assertAppError(() => planSweep("::/0", ["::1"]), 422, "subnet_too_large", /\/0/);
});

Deno.test("an IPv6 plan holds only known hosts inside the subnet, sorted and deduplicated", () => {
  const plan = planSweep("2001:db8::/64", [
    "2001:db8::20",
    "2001:0db8:0000:0000:0000:0000:0000:0010",
    "2001:db8::10",
    "2001:db8:0:1::5", // another /64
    "2001:db9::1", // another prefix
    "198.51.100.10", // other family
    "fe80::1%eth0", // zone ids are refused
    "not an ip",
  ]);
  assert.equal(plan.family, 6);
  assert.equal(plan.cidr, "2001:db8::/64");
  assert.deepEqual([...plan.targets], ["2001:db8::10", "2001:db8::20"]);
  assert.equal(plan.count, 2);
  assert.equal(plan.range, null);
});

Deno.test("an IPv6 plan never enumerates the subnet", () => {
  const plan = planSweep("2001:db8::/64");
  assert.equal(plan.count, 0);
  assert.deepEqual([...plan.targets], []);
});

Deno.test("malformed subnets are refused with what was wrong", () => {
  assertAppError(() => planSweep("198.51.100.0"), 422, "invalid_cidr", /missing "\/prefix"/);
  assertAppError(() => planSweep("198.51.100.300/24"), 422, "invalid_cidr", /300/);
  assertAppError(() => planSweep("10.1/16"), 422, "invalid_cidr", /dotted quad/);
  assertAppError(() => planSweep("198.51.100.0/33"), 422, "invalid_cidr", /0 to 32/);
  assertAppError(() => planSweep("198.51.100.0/2x"), 422, "invalid_cidr", /integer/);
  assertAppError(
    () => planSweep("198.51.100.7/24"),
    422,
    "invalid_cidr",
    /host bits are set; the subnet is 198\.51\.100\.0\/24/,
  );
  assertAppError(() => planSweep("2001:db8::1/64"), 422, "invalid_cidr", /2001:db8::\/64/);
});

Deno.test("normalizeIp accepts literal addresses only", () => {
  assert.deepEqual(normalizeIp(" 198.51.100.7 "), { ip: "198.51.100.7", family: 4 });
  assert.deepEqual(normalizeIp("2001:DB8:0::1"), { ip: "2001:db8::1", family: 6 });
  assert.equal(normalizeIp("0x7f.0.0.1"), null);
  assert.equal(normalizeIp("127.1"), null);
  assert.equal(normalizeIp("-S1.2.3.4"), null);
  assert.equal(normalizeIp("localhost"), null);
  assert.equal(normalizeIp("fe80::1%eth0"), null);
});

function assertAppError(fn: () => unknown, status: number, code: string, message?: RegExp) {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError, `expected AppError, got ${err}`);
    assert.equal(err.status, status);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return;
  }
  assert.fail("expected an AppError to be thrown");
}

Deno.test("child subnets with scanning off are cut out of the parent's plan", () => {
  const plan = planSweep("198.51.100.0/24", [], { exclude: ["198.51.100.16/28"] });
  const targets = [...plan.targets];
  assert.equal(plan.count, 254 - 16);
  assert.equal(targets.length, plan.count);
  assert.deepEqual(plan.excluded, ["198.51.100.16/28"]);
  for (let i = 16; i < 32; i++) assert.ok(!targets.includes(`198.51.100.${i}`), `.${i}`);
  assert.ok(targets.includes("198.51.100.15") && targets.includes("198.51.100.32"));
  assert.deepEqual([...plan.targets], targets, "still re-iterable");
});

Deno.test("deeper nesting, overlaps, edges and foreign prefixes in the exclusion list", () => {
  // /26 off holding a /28 (also off), a /30 off in another quarter, the first /28 off (clips .0),
  // and prefixes outside the subnet or of the other family that must change nothing.
  const plan = planSweep("198.51.100.0/24", [], {
    exclude: [
      "198.51.100.64/26",
      "198.51.100.80/28",
      "198.51.100.200/30",
      "198.51.100.0/28",
      "203.0.113.0/28",
      "2001:db8::/64",
      "not a cidr",
    ],
  });
  const targets = new Set(plan.targets);
  assert.equal(plan.count, 254 - 64 - 4 - 15);
  assert.equal(targets.size, plan.count);
  for (const ip of targets) {
    const last = Number(ip.split(".")[3]);
    assert.ok(last >= 16, ip);
    assert.ok(last < 64 || last >= 128, ip);
    assert.ok(last < 200 || last > 203, ip);
  }
  assert.ok(targets.has("198.51.100.16") && targets.has("198.51.100.254"));
  // The whole subnet excluded: nothing to probe.
  assert.equal(planSweep("198.51.100.0/28", [], { exclude: ["198.51.100.0/28"] }).count, 0);
});

Deno.test("IPv6 plans drop known hosts inside excluded children", () => {
  const plan = planSweep("2001:db8::/64", ["2001:db8::1", "2001:db8::100", "2001:db8::101"], {
    exclude: ["2001:db8::100/120"],
  });
  assert.deepEqual([...plan.targets], ["2001:db8::1"]);
});
