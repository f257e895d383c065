import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import {
  bigIntToIp,
  cidrContains,
  ipToBigInt,
  normalizeIp,
  parseCidr,
  parseIp,
  parseIpLenient,
  subnetSize,
  tryParseIp,
  usableRange,
  usableSize,
} from "./cidr.ts";

/** Asserts that fn throws an AppError 422 with exactly this code and message. */
function assertRefused(fn: () => unknown, code: string, message: string | RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AppError, `expected AppError, got ${err}`);
    assert.equal(err.status, 422);
    assert.equal(err.code, code);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

Deno.test("parseCidr: canonical IPv4 and IPv6 results", () => {
  assert.deepEqual(parseCidr("127.0.2.0/24"), {
    cidr: "127.0.2.0/24",
    family: 4,
    prefix: 24,
    first: 0x7f000200n,
    last: 0x7f0002ffn,
    network: "127.0.2.0",
  });
  const v6 = parseCidr("  2001:0DB8:0000::/48\t");
  assert.equal(v6.cidr, "2001:db8::/48");
  assert.equal(v6.family, 6);
  assert.equal(v6.network, "2001:db8::");
  assert.equal(v6.first, 0x20010db8n << 96n);
  assert.equal(v6.last, (0x20010db8n << 96n) | ((1n << 80n) - 1n));
  assert.equal(parseCidr("203.0.113.7/32").cidr, "203.0.113.7/32");
  assert.equal(parseCidr("2001:db8::1/128").cidr, "2001:db8::1/128");
});

Deno.test("parseCidr: precise messages for bad input", () => {
  assertRefused(
    () => parseCidr("10.0.0.300/24"),
    "invalid_cidr",
    'invalid CIDR "10.0.0.300/24": octet 300 > 255',
  );
  assertRefused(() => parseCidr("10.0.0.0"), "invalid_cidr", /missing prefix length/);
  assertRefused(
    () => parseCidr("10.0.0.0/33"),
    "invalid_cidr",
    'invalid CIDR "10.0.0.0/33": prefix /33 > 32',
  );
  assertRefused(() => parseCidr("2001:db8::/129"), "invalid_cidr", /prefix \/129 > 128/);
  assertRefused(() => parseCidr("10.0.0.0/x"), "invalid_cidr", /prefix "x" is not a number 1-32/);
  assertRefused(() => parseCidr("10.0.0.0/"), "invalid_cidr", /prefix "" is not a number/);
  assertRefused(() => parseCidr("10.0.0.0/024"), "invalid_cidr", /leading zero; expected \/24/);
  assertRefused(() => parseCidr("10.0.0.0/24/1"), "invalid_cidr", /more than one "\/"/);
  assertRefused(
    () => parseCidr("0.0.0.0/0"),
    "invalid_cidr",
    'invalid CIDR "0.0.0.0/0": prefix /0 covers the whole address space',
  );
  assertRefused(
    () => parseCidr("::/0"),
    "invalid_cidr",
    /prefix \/0 covers the whole address space/,
  );
  assertRefused(() => parseCidr("010.0.0.0/8"), "invalid_cidr", /octet "010" has a leading zero/);
  assertRefused(() => parseCidr(""), "invalid_cidr", /empty/);
  assertRefused(() => parseCidr("10.0.0.0 /24"), "invalid_cidr", /contains whitespace/);
  assertRefused(
    () => parseCidr("１0.0.0.0/24"),
    "invalid_cidr",
    /non-ASCII character "１" \(U\+FF11\)/,
  );
  assertRefused(() => parseCidr("hello/24"), "invalid_cidr", /not an IP address/);
  assertRefused(() => parseCidr("10.0.0/24"), "invalid_cidr", /expected 4 dot-separated octets/);
  assertRefused(() => parseCidr("10.0.0.0\u0000/24"), "invalid_cidr", /control character/);
  assertRefused(() => parseCidr("2001:db8::1::/64"), "invalid_cidr", /"::" may appear only once/);
  assertRefused(
    () => parseCidr("2001:db8g::/64"),
    "invalid_cidr",
    /group "db8g" is not 1-4 hex digits/,
  );
});

Deno.test("parseCidr: host bits refused with the network in message and details", () => {
  assert.throws(() => parseCidr("10.0.0.5/24"), (err: unknown) => {
    assert.ok(err instanceof AppError);
    assert.equal(
      err.message,
      'invalid CIDR "10.0.0.5/24": host bits set; the network is 10.0.0.0/24',
    );
    assert.deepEqual(err.details, { network: "10.0.0.0/24" });
    return true;
  });
  assert.throws(() => parseCidr("2001:db8::1/64"), /the network is 2001:db8::\/64/);
  const n = parseCidr("10.0.0.5/24", { normalize: true });
  assert.equal(n.cidr, "10.0.0.0/24");
  assert.equal(n.first, 0x0a000000n);
  assert.equal(parseCidr("2001:db8::ff/120", { normalize: true }).cidr, "2001:db8::/120");
});

Deno.test("parseCidr: IPv4-mapped IPv6 refused, telling the IPv4 form", () => {
  assertRefused(
    () => parseCidr("::ffff:10.0.0.0/120"),
    "invalid_cidr",
    /IPv4-mapped IPv6 address; use the IPv4 form 10\.0\.0\.0/,
  );
  assertRefused(
    () => parseCidr("::ffff:a00:0/120"),
    "invalid_cidr",
    /use the IPv4 form 10\.0\.0\.0/,
  );
});

Deno.test("parseIp: canonical forms and values", () => {
  assert.deepEqual(parseIp(" 127.0.2.10 "), { ip: "127.0.2.10", family: 4, value: 0x7f00020an });
  assert.deepEqual(parseIp("2001:DB8:0:0:0:0:0:1"), {
    ip: "2001:db8::1",
    family: 6,
    value: (0x20010db8n << 96n) | 1n,
  });
  // RFC 5952: a single zero group is not compressed
  assert.equal(parseIp("2001:db8:0:1:1:1:1:1").ip, "2001:db8:0:1:1:1:1:1");
  assert.equal(parseIp("0.0.0.0").value, 0n);
  assert.equal(parseIp("::").ip, "::");
  assert.equal(parseIp("64:ff9b::127.0.2.1").ip, "64:ff9b::7f00:201");
});

Deno.test("parseIp: refusals", () => {
  assertRefused(
    () => parseIp("10.0.0.300"),
    "invalid_ip",
    'invalid IP "10.0.0.300": octet 300 > 255',
  );
  assertRefused(
    () => parseIp("010.0.0.1"),
    "invalid_ip",
    /leading zero \(ambiguous: octal or decimal\?\)/,
  );
  assertRefused(() => parseIp("::ffff:127.0.2.1"), "invalid_ip", /use the IPv4 form 127\.0\.2\.1/);
  assertRefused(() => parseIp("fe80::1%eth0"), "invalid_ip", /zone ids/);
  assertRefused(() => parseIp("127.0.2.0/24"), "invalid_ip", /prefix length is not allowed/);
  assertRefused(() => parseIp("0x0a.0.0.1"), "invalid_ip", /octet "0x0a" is not a decimal number/);
  assertRefused(
    () => parseIp("10.1"),
    "invalid_ip",
    /expected 4 dot-separated octets like 198\.51\.100\.10, got 2/,
  );
  assertRefused(() => parseIp("3232235777"), "invalid_ip", /not an IP address/);
  assertRefused(() => parseIp("1:2:3:4:5:6:7:8:9"), "invalid_ip", /has 9 groups/);
  assertRefused(() => parseIp("café::1"), "invalid_ip", /non-ASCII character "é"/);
  assertRefused(() => parseIp(""), "invalid_ip", /empty/);
  assertRefused(() => parseIp("10..0.1"), "invalid_ip", /empty octet/);
  assert.equal(tryParseIp("nope"), null);
  assert.equal(tryParseIp("127.0.2.1")?.value, 0x7f000201n);
});

Deno.test("bigint helpers round-trip", () => {
  assert.equal(ipToBigInt("255.255.255.255"), 0xffffffffn);
  assert.equal(bigIntToIp(0x7f000201n, 4), "127.0.2.1");
  assert.equal(bigIntToIp((0x20010db8n << 96n) | 0x10n, 6), "2001:db8::10");
  assert.equal(bigIntToIp((1n << 128n) - 1n, 6), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  assert.throws(() => bigIntToIp(1n << 32n, 4), RangeError);
  assert.throws(() => bigIntToIp(-1n, 6), RangeError);
  for (const ip of ["198.51.100.77", "2001:db8:1:2:3:4:5:6", "2001:db8::"]) {
    const p = parseIp(ip);
    assert.equal(bigIntToIp(p.value, p.family), ip);
  }
});

Deno.test("cidrContains, subnetSize, usableRange", () => {
  assert.equal(cidrContains("127.0.2.0/24", "127.0.2.255"), true);
  assert.equal(cidrContains("127.0.2.0/24", "127.0.3.0"), false);
  assert.equal(cidrContains("127.0.2.0/24", "2001:db8::1"), false);
  assert.equal(cidrContains(parseCidr("2001:db8::/48"), parseIp("2001:db8:0:ffff::1")), true);

  assert.equal(subnetSize("127.0.2.0/24"), 256n);
  assert.equal(subnetSize("2001:db8::/64"), 1n << 64n);

  const r24 = usableRange("127.0.2.0/24");
  assert.equal(bigIntToIp(r24.first, 4), "127.0.2.1");
  assert.equal(bigIntToIp(r24.last, 4), "127.0.2.254");
  assert.equal(usableSize("127.0.2.0/24"), 254n);
  assert.equal(usableSize("127.0.2.0/30"), 2n);
  assert.equal(usableSize("127.0.2.0/31"), 2n);
  assert.equal(usableSize("127.0.2.1/32"), 1n);

  const r64 = usableRange("2001:db8::/64");
  assert.equal(bigIntToIp(r64.first, 6), "2001:db8::1");
  assert.equal(bigIntToIp(r64.last, 6), "2001:db8::ffff:ffff:ffff:ffff");
  assert.equal(usableSize("2001:db8::/126"), 3n);
  assert.equal(usableSize("2001:db8::/127"), 2n);
  assert.equal(usableSize("2001:db8::1/128"), 1n);
});

Deno.test("normalizeIp's fast path for canonical dotted quads agrees with the full parse", () => {
  const inputs = [
    "0.0.0.0",
    "255.255.255.255",
    "127.0.3.1",
    "199.99.100.249",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.04",
    "1.2.3",
    "1.2.3.4.5",
    " 1.2.3.4",
    "1.2.3.4 ",
    "0x7f.0.0.1",
    "1.2.3.-1",
    "1.2.3.4\n",
  ];
  for (let i = 0; i < 256; i++) inputs.push(`10.${i}.${255 - i}.${i % 10}`);
  for (const text of inputs) {
    const full = parseIpLenient(text);
    assert.deepEqual(normalizeIp(text), full && { ip: full.ip, family: full.family }, text);
  }
});
