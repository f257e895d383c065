import assert from "node:assert/strict";
import { neutralizeCell, restoreCell } from "./csv_cells.ts";
import { hostsToCsv, subnetsToCsv } from "./csv_export.ts";
import {
  type HostInput,
  HostInputSchema,
  parseHostsCsv,
  parseSubnetsCsv,
  type SubnetInput,
  SubnetInputSchema,
} from "./csv_import.ts";

Deno.test("neutralizeCell guards formula starts and restoreCell undoes exactly one guard", () => {
  for (const v of ["=1+1", "+44 20", "-5", "@SUM(A1)", "\tx", "\rx", "'=x", "''-y"]) {
    assert.equal(neutralizeCell(v), `'${v}`);
    assert.equal(restoreCell(neutralizeCell(v)), v);
  }
  for (const v of ["plain", "'quoted", "a=b", "", "127.0.2.1", "2001:db8::1"]) {
    assert.equal(neutralizeCell(v), v);
    assert.equal(restoreCell(v), v);
  }
});

Deno.test("hostsToCsv: header, tags joined with ;, dangerous cells prefixed", () => {
  const csv = hostsToCsv([
    {
      ip: "127.0.2.1",
      hostname: "gw",
      description: '=HYPERLINK("http://x")',
      tags: ["a", "b"],
      notes: "-rm\nsecond line",
      mac: null,
    },
    { ip: "127.0.2.2", tags: [], hostname: null },
  ]);
  assert.equal(
    csv,
    "ip,hostname,description,tags,notes,mac\r\n" +
      '127.0.2.1,gw,"\'=HYPERLINK(""http://x"")",a;b,"\'-rm\nsecond line",\r\n' +
      "127.0.2.2,,,,,\r\n",
  );
  assert.ok(hostsToCsv([], { bom: true }).startsWith("\uFEFFip,"));
});

Deno.test("subnetsToCsv: booleans and numbers as plain text", () => {
  const csv = subnetsToCsv([{
    cidr: "127.0.2.0/24",
    name: "@office",
    description: null,
    vlan: 10,
    tags: ["x"],
    location: "+1 floor",
    scan_enabled: false,
    scan_interval_s: 300,
    // extra fields from the store are ignored
    ...{ id: 7, parent_id: null },
  }]);
  assert.equal(
    csv,
    "cidr,name,description,vlan,tags,location,scan_enabled,scan_interval_s\r\n" +
      "127.0.2.0/24,'@office,,10,x,'+1 floor,false,300\r\n",
  );
});

Deno.test("round trip: hosts export then import gives the same data", () => {
  const hosts: HostInput[] = [
    {
      ip: "127.0.2.10",
      hostname: "web-01.example.com",
      description: 'Front, "main" – Zürich ✓',
      tags: ["prod", "web", "owner:Ops team"],
      notes: "=cmd|' /C calc'!A0\nline 2, with comma\r\nline 3",
      mac: "00:1a:2b:3c:4d:5e",
    },
    { ip: "2001:db8::1", hostname: null, description: "-", tags: [], notes: "@mention", mac: null },
    { ip: "203.0.113.9", hostname: null, description: "a\rb", tags: [], notes: null, mac: null },
    {
      ip: "198.51.100.7",
      hostname: "host-3",
      description: "'=already quoted",
      tags: ["-neg", "+plus", "@at"],
      notes: "'plain apostrophe",
      mac: null,
    },
  ].map((h) => HostInputSchema.parse(h));
  const back = parseHostsCsv(hostsToCsv(hosts, { bom: true }));
  assert.deepEqual(back.errors, []);
  assert.equal(back.format, "pingfold");
  // CRLF inside a note comes back as LF: the importer normalizes line ends
  const lf = (v: string | null) => v?.replace(/\r\n?/g, "\n") ?? null;
  const expected = hosts.map((h) => ({ ...h, notes: lf(h.notes), description: lf(h.description) }));
  assert.deepEqual(back.rows.map((r) => r.value), expected);
  assert.deepEqual(back.rows.map((r) => r.line), [2, 5, 6, 8]);
});

Deno.test("round trip: subnets export then import gives the same data", () => {
  const subnets: SubnetInput[] = [
    {
      cidr: "127.0.2.0/24",
      name: "Servers",
      description: "+ rack A; rack B",
      vlan: 10,
      tags: ["dc1", "prod"],
      location: "DC-1, room 2",
      scan_enabled: false,
      scan_interval_s: 300,
    },
    {
      cidr: "2001:db8:10::/64",
      name: null,
      description: null,
      vlan: null,
      tags: [],
      location: null,
      scan_enabled: true,
      scan_interval_s: 3600,
    },
  ].map((s) => SubnetInputSchema.parse(s));
  const back = parseSubnetsCsv(subnetsToCsv(subnets));
  assert.deepEqual(back.errors, []);
  assert.deepEqual(back.rows.map((r) => r.value), subnets);
});
