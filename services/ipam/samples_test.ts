// The demo CSVs in static/samples must import cleanly and stay inside documentation ranges.
import assert from "node:assert/strict";
import { cidrContains, parseCidr } from "./cidr.ts";
import { parseHostsCsv, parseSubnetsCsv } from "./csv_import.ts";

// Loopback stands in for the first RFC 5737 range, which is this machine's own network.
const DOC_RANGES = ["127.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/48"];

const read = (name: string) =>
  Deno.readTextFile(new URL(`../../static/samples/${name}`, import.meta.url));

const inDocRange = (ip: string) => DOC_RANGES.some((r) => cidrContains(r, ip));

Deno.test("sample subnets.csv imports without errors, never scanning, doc ranges only", async () => {
  const { rows, errors, format } = parseSubnetsCsv(await read("subnets.csv"));
  assert.deepEqual(errors, []);
  assert.equal(format, "pingfold");
  assert.ok(rows.length >= 5);
  for (const { value } of rows) {
    assert.equal(value.scan_enabled, false, `${value.cidr} must not be scanned by default`);
    const c = parseCidr(value.cidr);
    assert.ok(
      DOC_RANGES.some((r) => parseCidr(r).prefix <= c.prefix && cidrContains(r, c.network)),
      `${value.cidr} is outside the documentation ranges`,
    );
  }
});

Deno.test("sample hosts.csv imports without errors, doc ranges only", async () => {
  const { rows, errors, format } = parseHostsCsv(await read("hosts.csv"));
  assert.deepEqual(errors, []);
  assert.equal(format, "pingfold");
  assert.ok(rows.length >= 20);
  for (const { value } of rows) assert.ok(inDocRange(value.ip), `${value.ip} is not a doc address`);
  assert.ok(
    rows.some((r) => r.value.notes?.includes("\n")),
    "a multi-line note is part of the demo",
  );
  assert.ok(rows.some((r) => r.value.ip.includes(":")), "IPv6 hosts are part of the demo");
});

Deno.test("sample phpipam_addresses.csv is read as phpIPAM, doc ranges only", async () => {
  const { rows, errors, warnings, format, ignored_columns } = parseHostsCsv(
    await read("phpipam_addresses.csv"),
  );
  assert.deepEqual(errors, []);
  assert.equal(format, "phpipam");
  assert.deepEqual(ignored_columns, ["Section", "VRF", "Subnet"]);
  for (const { value } of rows) assert.ok(inDocRange(value.ip), `${value.ip} is not a doc address`);
  const gw = rows.find((r) => r.value.ip === "127.0.2.1")!.value;
  assert.deepEqual(gw.tags, ["owner:Network team", "gateway"]);
  assert.equal(gw.notes, "Device: core-sw1");
  assert.equal(rows.find((r) => r.value.ip === "127.0.2.6")!.value.mac, "00:00:5e:00:53:a6");
  const printer = rows.find((r) => r.value.ip === "198.51.100.30")!;
  assert.equal(printer.value.hostname, null);
  assert.equal(printer.value.description, "PRINTER 3rd floor — Colour laser");
  assert.equal(printer.value.mac, "00:00:5e:00:53:b7");
  assert.deepEqual(warnings.map((w) => w.line), [printer.line]);
});

Deno.test("sample phpipam_subnets.csv: folders are skipped, not errors", async () => {
  const { rows, errors, folders, format } = parseSubnetsCsv(await read("phpipam_subnets.csv"));
  assert.equal(format, "phpipam");
  assert.deepEqual(errors, []);
  assert.deepEqual(folders.map((f) => f.name), ["Datacenter", "Branch offices", "Zurich"]);
  assert.equal(rows.length, 5);
  for (const { value } of rows) {
    assert.equal(value.scan_enabled, false);
    const c = parseCidr(value.cidr);
    assert.ok(
      DOC_RANGES.some((r) => parseCidr(r).prefix <= c.prefix && cidrContains(r, c.network)),
    );
    // samples must never name this machine's own network
    const hostNetwork = "192.0.2.0/24"; // host-network guard
    assert.ok(!cidrContains(hostNetwork, c.network), `${hostNetwork} is this machine's network`);
  }
});
