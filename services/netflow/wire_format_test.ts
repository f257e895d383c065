// Wire readers: RFC 5952 IPv6 text, IPv4 text, reduced-size integers, NTP time.
import assert from "node:assert/strict";
import { bytesToIp, ipToBytes, parseIpLenient } from "@/services/ipam/mod.ts";
import { formatAddress, formatIpv4, formatIpv6, readNtpMs, readUnsigned } from "./wire_format.ts";

// ipam/cidr.ts formats with ipaddr.js, an independent implementation of RFC 5952.
Deno.test("formatIpv6 matches ipaddr.js's RFC 5952 text on edge cases and random addresses", () => {
  const cases = [
    "::",
    "::1",
    "1::",
    "2001:db8::1",
    "2001:db8:0:1:0:0:0:1",
    "2001:0:0:1:0:0:0:1",
    "2001:db8:1:1:1:1:1:0",
    "fe80::1:0:0:0",
    "1:0:1:0:1:0:1:0",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
  ];
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8;
  for (let i = 0; i < 2000; i++) {
    // Many zero groups, so runs of zeros in every position are exercised.
    const groups = Array.from({ length: 8 }, () => (rand() % 3 === 0 ? (rand() & 0xffff) : 0));
    cases.push(groups.map((g) => g.toString(16)).join(":"));
  }
  for (const text of cases) {
    const bytes = Uint8Array.from(ipToBytes(parseIpLenient(text)!));
    const padded = new Uint8Array(20);
    padded.set(bytes, 3);
    assert.equal(formatIpv6(padded, 3), bytesToIp(bytes), text);
  }
});

Deno.test("formatIpv4 and formatAddress", () => {
  const bytes = Uint8Array.from([9, 0, 255, 10, 1]);
  assert.equal(formatIpv4(bytes, 1), "0.255.10.1");
  assert.equal(formatAddress(bytes, 1, 4), "0.255.10.1");
  assert.equal(formatAddress(bytes, 0, 3), "");
});

Deno.test("readUnsigned reads every reduced size big-endian", () => {
  const bytes = Uint8Array.from([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]);
  const view = new DataView(bytes.buffer);
  const want = [0x01, 0x0102, 0x010203, 0x01020304, 0x0102030405, 0x010203040506, 0x01020304050607];
  want.forEach((w, i) => assert.equal(readUnsigned(view, 0, i + 1), w, `${i + 1} bytes`));
  assert.equal(readUnsigned(view, 0, 8), Number(0x0102030405060708n));
});

Deno.test("readNtpMs converts the NTP epoch and fraction to Unix ms", () => {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, 2208988800 + 1_700_000_000);
  view.setUint32(4, 0x80000000); // half a second
  assert.equal(readNtpMs(view, 0), 1_700_000_000_500);
});
