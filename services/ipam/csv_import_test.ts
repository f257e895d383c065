import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import {
  type CsvParseResult,
  exceedsPreview,
  HostInputSchema,
  normalizeMac,
  parseHostsCsv,
  parseSubnetsCsv,
  streamHostsCsv,
  streamSubnetsCsv,
  SubnetInputSchema,
  SubnetPatchSchema,
} from "./csv_import.ts";

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError, `expected AppError, got ${err}`);
    assert.equal(err.status, 422);
    return err;
  }
  assert.fail("expected the whole file to be refused");
}

Deno.test("hosts CSV: BOM, CRLF, quoting, unicode and line numbers", () => {
  const text = "\uFEFFip,hostname,description,tags,notes,mac\r\n" +
    '127.0.2.10,web-01.example.com,"Web, front","prod;web | eu",,00-1A-2B-3C-4D-5E\r\n' +
    '127.0.2.11,db,"Said ""hi""","","line one\r\nline two\r\nline three",001a.2b3c.4d5f\r\n' +
    "\r\n" +
    "2001:DB8::1,café-srv,Zürich 東京 ✓,,,\r\n";
  const result = parseHostsCsv(text);
  assert.equal(result.format, "pingfold");
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.ignored_columns, []);
  assert.deepEqual(result.rows, [
    {
      line: 2,
      value: {
        ip: "127.0.2.10",
        hostname: "web-01.example.com",
        description: "Web, front",
        tags: ["prod", "web", "eu"],
        notes: null,
        mac: "00:1a:2b:3c:4d:5e",
      },
    },
    {
      line: 3,
      value: {
        ip: "127.0.2.11",
        hostname: "db",
        description: 'Said "hi"',
        tags: [],
        notes: "line one\nline two\nline three",
        mac: "00:1a:2b:3c:4d:5f",
      },
    },
    {
      line: 7, // after a 3-line record (3-5) and an empty line (6)
      value: {
        ip: "2001:db8::1",
        hostname: "café-srv",
        description: "Zürich 東京 ✓",
        tags: [],
        notes: null,
        mac: null,
      },
    },
  ]);
});

Deno.test("hosts CSV: per-row errors keep their line and the good rows still import", () => {
  const text = [
    "ip,hostname,mac,description,tags",
    "127.0.2.1,a,,,", // 2 ok
    "127.0.2.300,b,,,", // 3 bad ip
    "127.0.2.3,c,zz:zz,,", // 4 bad mac
    "127.0.2.4,bad host,,,", // 5 bad hostname
    `127.0.2.5,d,,${"x".repeat(1001)},`, // 6 description too long
    `127.0.2.6,e,,,${Array.from({ length: 33 }, (_, i) => `t${i}`).join(";")}`, // 7 too many tags
    "127.0.2.1,dup,,,", // 8 duplicate of line 2
    "127.0.2.7,,,,", // 9 ok, only ip
    `127.0.2.8,${"a".repeat(64)}.example,,,`, // 10 label > 63
    "127.0.2.10/24,x,,,", // 11 prefix not allowed
    "127.0.2.9,f,,,a;" + "t".repeat(65), // 12 tag too long
  ].join("\n");
  const { rows, errors } = parseHostsCsv(text);
  assert.deepEqual(rows.map((r) => `${r.line} ${r.value.ip}`), ["2 127.0.2.1", "9 127.0.2.7"]);
  assert.deepEqual(errors.map((e) => e.line), [3, 4, 5, 6, 7, 8, 10, 11, 12]);
  const byLine = new Map(errors.map((e) => [e.line, e.message]));
  assert.equal(byLine.get(3), 'invalid IP "127.0.2.300": octet 300 > 255');
  assert.equal(byLine.get(4), 'invalid MAC "zz:zz": expected 6 hex bytes like 00:1a:2b:3c:4d:5e');
  assert.match(byLine.get(5)!, /hostname "bad host" is not a DNS name/);
  assert.equal(byLine.get(6), "description is longer than 1000 characters");
  assert.equal(byLine.get(7), "at most 32 tags are allowed");
  assert.equal(byLine.get(8), "duplicate of line 2");
  assert.match(byLine.get(10)!, /label .* is longer than 63 characters/);
  assert.match(byLine.get(11)!, /prefix length is not allowed/);
  assert.equal(byLine.get(12), "tags: a tag is longer than 64 characters");
});

Deno.test("hosts CSV: duplicates compare canonical addresses", () => {
  const { rows, errors } = parseHostsCsv("ip\n2001:db8::1\n2001:DB8:0::1\n");
  assert.equal(rows.length, 1);
  assert.deepEqual(errors, [{ line: 3, message: "duplicate of line 2" }]);
});

Deno.test("hosts CSV: file-level refusals", () => {
  let err = refusal(() => parseHostsCsv(""));
  assert.equal(err.code, "invalid_csv");
  assert.match(
    err.message,
    /the file is empty; expected columns: ip,hostname,description,tags,notes,mac/,
  );

  err = refusal(() => parseHostsCsv("\uFEFF\r\n  \r\n"));
  assert.match(err.message, /empty/);

  err = refusal(() => parseHostsCsv("ip,hostnmae,notes\n127.0.2.1,a,b\n"));
  assert.equal(err.code, "invalid_csv");
  assert.equal(
    err.message,
    'unknown column "hostnmae" on line 1; expected columns: ip,hostname,description,tags,notes,mac ' +
      "(only ip is required), or a phpIPAM address export",
  );
  assert.deepEqual(err.details, {
    unknown_columns: ["hostnmae"],
    expected_columns: ["ip", "hostname", "description", "tags", "notes", "mac"],
  });

  err = refusal(() => parseHostsCsv("hostname,description\na,b\n"));
  assert.match(
    err.message,
    /no header line with a "ip" column found \(line 1 is "hostname","description"\)/,
  );

  err = refusal(() => parseHostsCsv("127.0.2.1,a\n127.0.2.2,b\n"));
  assert.match(err.message, /no header line with a "ip" column/);

  err = refusal(() => parseHostsCsv("ip,hostname,IP\n127.0.2.1,a,b\n"));
  assert.match(err.message, /columns "ip" and "IP" on line 1 both give ip/);

  err = refusal(() => parseHostsCsv('ip,notes\n127.0.2.1,"never closed\n127.0.2.2,x\n'));
  assert.equal(err.code, "invalid_csv");
  assert.match(err.message, /not valid CSV: Quote Not Closed/);

  err = refusal(() => parseHostsCsv("ip\n127.0.2.1\u0000\n"));
  assert.match(err.message, /NUL bytes/);
});

Deno.test("hosts CSV: row limit", () => {
  const lines = ["ip", ...Array.from({ length: 6 }, (_, i) => `127.0.2.${i + 1}`)];
  assert.equal(parseHostsCsv(lines.join("\n"), { maxRows: 6 }).rows.length, 6);
  const err = refusal(() => parseHostsCsv(lines.join("\n"), { maxRows: 5 }));
  assert.equal(err.code, "too_many_rows");
  assert.match(err.message, /more than 5 rows/);
  assert.deepEqual(err.details, { max_rows: 5 });
});

Deno.test("hosts CSV: header only, semicolon files, stray cells, formula guards", () => {
  assert.deepEqual(parseHostsCsv("ip,hostname\r\n"), {
    rows: [],
    errors: [],
    warnings: [],
    folders: [],
    format: "pingfold",
    ignored_columns: [],
  });

  const semi = parseHostsCsv('IP;Hostname;Tags\n127.0.2.1;a;"x;y"\n');
  assert.deepEqual(semi.rows[0].value.tags, ["x", "y"]);
  assert.equal(semi.rows[0].value.hostname, "a");

  const stray = parseHostsCsv("ip,hostname\n127.0.2.1,a,oops\n127.0.2.2,b,,\n");
  assert.deepEqual(stray.errors, [{
    line: 2,
    message: "has a value in column 3, which has no header (the header on line 1 has 2 columns)",
  }]);
  assert.equal(stray.rows[0].value.ip, "127.0.2.2");

  const guarded = parseHostsCsv("ip,description,notes\n127.0.2.1,'=SUM(A1),''+keep\n");
  assert.equal(guarded.rows[0].value.description, "=SUM(A1)");
  assert.equal(guarded.rows[0].value.notes, "'+keep");
});

Deno.test("hosts CSV: phpIPAM admin export columns", () => {
  const text = [
    "Section,IP Address,Hostname,Description,VRF,Subnet,MAC,Owner,Device,Note,Tag,Gateway,Rack",
    'Lab,198.51.100.10,sw-core.example.net,Core switch,,198.51.100.0/24,AA:BB:CC:00:11:22,Network team,core-rack,"uplink, redundant",Used,Yes,R1',
    "Lab,198.51.100.11,printer,,,198.51.100.0/24,,,,,Reserved,No,",
    "Lab,198.51.100.12,,,,198.51.100.0/24,,,,,DHCP,,",
  ].join("\r\n");
  const result = parseHostsCsv(text);
  assert.equal(result.format, "phpipam");
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.ignored_columns, ["Section", "VRF", "Subnet", "Rack"]);
  assert.deepEqual(result.rows[0].value, {
    ip: "198.51.100.10",
    hostname: "sw-core.example.net",
    description: "Core switch",
    tags: ["owner:Network team", "gateway"],
    notes: "uplink, redundant\nDevice: core-rack",
    mac: "aa:bb:cc:00:11:22",
  });
  assert.deepEqual(result.rows[1].value.tags, ["reserved"]);
  assert.deepEqual(result.rows[2].value.tags, ["dhcp"]);
});

Deno.test("hosts CSV: phpIPAM per-subnet export with title lines above the header", () => {
  const text = [
    "Servers",
    "203.0.113.0/24",
    "vlan: 20 - servers",
    "",
    "ip address,ip state,description,hostname,fw object,mac,owner,device,port,note,location",
    `203.0.113.5,Used,Mail,mail.example.org,,,${"o".repeat(70)},sw2,Gi0/5,,DC-1`,
  ].join("\n");
  const result = parseHostsCsv(text);
  assert.equal(result.format, "phpipam");
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.ignored_columns, ["fw object"]);
  assert.deepEqual(result.rows, [{
    line: 6,
    value: {
      ip: "203.0.113.5",
      hostname: "mail.example.org",
      description: "Mail",
      tags: [],
      notes: `Owner: ${"o".repeat(70)}\nDevice: sw2\nPort: Gi0/5\nLocation: DC-1`,
      mac: null,
    },
  }]);
});

Deno.test("hosts CSV: phpIPAM import template names (ip_addr, note, is_gateway)", () => {
  const text = "section,ip_addr,hostname,note,is_gateway,tag\nA,127.0.2.1,gw,first,1,3\n";
  const { rows, format } = parseHostsCsv(text);
  assert.equal(format, "phpipam");
  assert.deepEqual(rows[0].value.tags, ["reserved", "gateway"]);
  assert.equal(rows[0].value.notes, "first");
});

Deno.test("subnets CSV: Pingfold columns with defaults and conversions", () => {
  const text = [
    "cidr,name,description,vlan,tags,location,scan_enabled,scan_interval_s",
    "127.0.2.0/24,Servers,Rack servers,10,prod|dc1,DC-1,false,600",
    "198.51.100.0/25,,,,,,,",
    "2001:db8:1::/64,v6,,4094,,,yes,30",
    "203.0.113.5/24,bad,,,,,,", // host bits
    "203.0.113.0/25,x,,4095,,,,", // vlan range
    "203.0.113.128/25,x,,abc,,,,", // vlan text
    "203.0.113.0/26,x,,,,,maybe,", // bool
    "203.0.113.64/26,x,,,,,,10", // interval too small
    "127.0.2.0/24,again,,,,,,", // duplicate
  ].join("\n");
  const { rows, errors, format } = parseSubnetsCsv(text);
  assert.equal(format, "pingfold");
  assert.deepEqual(rows.map((r) => r.value), [
    {
      cidr: "127.0.2.0/24",
      name: "Servers",
      description: "Rack servers",
      vlan: 10,
      tags: ["prod", "dc1"],
      location: "DC-1",
      scan_enabled: false,
      scan_interval_s: 600,
    },
    {
      cidr: "198.51.100.0/25",
      name: null,
      description: null,
      vlan: null,
      tags: [],
      location: null,
      scan_enabled: false,
      scan_interval_s: undefined, // the instance default, filled in when stored
    },
    {
      cidr: "2001:db8:1::/64",
      name: "v6",
      description: null,
      vlan: 4094,
      tags: [],
      location: null,
      scan_enabled: true,
      scan_interval_s: 30,
    },
  ]);
  assert.deepEqual(errors, [
    {
      line: 5,
      message: 'invalid CIDR "203.0.113.5/24": host bits set; the network is 203.0.113.0/24',
    },
    { line: 6, message: "vlan must be 1-4094" },
    { line: 7, message: 'vlan "abc" is not a number 1-4094' },
    { line: 8, message: 'scan_enabled "maybe" is not true or false' },
    { line: 9, message: "scan_interval_s must be at least 30" },
    { line: 10, message: "duplicate of line 2" },
  ]);
});

Deno.test("subnets CSV: phpIPAM export and import names", () => {
  const exported = [
    "Section,Subnet,Description,VLAN,VLAN Domain,VRF,Master Subnet,Requests,Host check,Discover,Customer",
    "Lab,127.0.2.0/24,Servers,10,default,,/,0,1,0,",
    "Lab,Datacenter (folder),Datacenter,NA,default,,/,0,0,0,",
    "Lab,198.51.100.0/24,Clients,NA,default,,/,0,0,0,",
  ].join("\n");
  const a = parseSubnetsCsv(exported);
  assert.equal(a.format, "phpipam");
  assert.deepEqual(
    a.rows.map((r) => [r.value.cidr, r.value.description, r.value.vlan, r.value.scan_enabled]),
    [
      ["127.0.2.0/24", "Servers", 10, false], // "Host check" never enables scanning
      ["198.51.100.0/24", "Clients", null, false],
    ],
  );
  assert.deepEqual(a.errors, [], "a folder row is not an error");
  assert.deepEqual(a.folders, [{ line: 3, name: "Datacenter" }]);
  assert.deepEqual(a.ignored_columns, [
    "Section",
    "VLAN Domain",
    "VRF",
    "Master Subnet",
    "Requests",
    "Host check",
    "Discover",
    "Customer",
  ]);

  const imported = parseSubnetsCsv(
    "section,subnet,mask,description,vlan\nA,203.0.113.0,24,x,\nA,203.0.113.0,255.255.255.128,y,\n" +
      "A,2001:db8::,48,v6,\nA,198.51.100.0,255.0.255.0,bad,\n",
  );
  assert.deepEqual(imported.rows.map((r) => r.value.cidr), [
    "203.0.113.0/24",
    "203.0.113.0/25",
    "2001:db8::/48",
  ]);
  assert.deepEqual(imported.errors, [
    { line: 5, message: 'mask "255.0.255.0" is neither a prefix length nor a netmask' },
  ]);
});

Deno.test("schemas: API reuse, MAC forms, patch has no defaults", () => {
  assert.equal(normalizeMac("00:1A:2B:3C:4D:5E"), "00:1a:2b:3c:4d:5e");
  assert.equal(normalizeMac("001a2b3c4d5e"), "00:1a:2b:3c:4d:5e");
  assert.equal(normalizeMac("001A.2B3C.4D5E"), "00:1a:2b:3c:4d:5e");
  assert.equal(normalizeMac("00:1a-2b:3c:4d:5e"), null);
  assert.equal(normalizeMac("00:1a:2b:3c:4d"), null);

  const host = HostInputSchema.parse({ ip: " 2001:DB8::5 ", tags: ["a", " a ", "b"] });
  assert.deepEqual(host, {
    ip: "2001:db8::5",
    hostname: null,
    description: null,
    tags: ["a", "b"],
    notes: null,
    mac: null,
  });
  for (const tag of ["a;b", "a|b", "a\u0007b", "", "x".repeat(65)]) {
    const r = HostInputSchema.safeParse({ ip: "127.0.2.1", tags: [tag] });
    assert.equal(r.success, false, `tag ${JSON.stringify(tag)} must be refused`);
  }
  assert.equal(
    HostInputSchema.safeParse({ ip: "127.0.2.1", tags: ["owner:Ops team"] }).success,
    true,
  );
  assert.equal(
    SubnetInputSchema.safeParse({ cidr: "127.0.2.0/24", scan_enabled: "yes" }).success,
    false,
  );
  assert.deepEqual(SubnetPatchSchema.parse({ name: "n" }), { name: "n" });
  assert.deepEqual(SubnetPatchSchema.parse({ vlan: null }), { vlan: null });
});

Deno.test("subnets CSV: phpIPAM folders from a database or API dump (isFolder, decimal subnet)", () => {
  // Columns of phpIPAM's `subnets` table; a folder has subnet 0, no mask and isFolder 1.
  const dump = [
    "id,subnet,mask,sectionId,description,vrfId,masterSubnetId,allowRequests,vlanId," +
    "showName,pingSubnet,discoverSubnet,isFolder,isFull,state,location",
    "5,0,,1,My folder,0,0,0,0,0,0,0,1,0,2,",
    "6,3325256704,24,1,Office LAN,0,5,0,0,1,1,0,0,0,2,", // 198.51.100.0
    "7,42540766411282592856903984951653826560,48,1,Lab v6,0,0,0,0,1,0,0,0,0,2,", // 2001:db8::
    "8,3405803776,25,1,DMZ half,0,5,0,0,1,0,0,false,0,2,", // 203.0.113.0
    "9,,,1,Empty folder,0,5,0,0,0,0,0,yes,0,2,",
  ].join("\n");
  const r = parseSubnetsCsv(dump);
  assert.equal(r.format, "phpipam");
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.folders, [{ line: 2, name: "My folder" }, { line: 6, name: "Empty folder" }]);
  assert.deepEqual(r.rows.map((row) => [row.line, row.value.cidr, row.value.description]), [
    [3, "198.51.100.0/24", "Office LAN"],
    [4, "2001:db8::/48", "Lab v6"],
    [5, "203.0.113.0/25", "DMZ half"],
  ]);
  // "vlanId" is phpIPAM's row id of the VLAN, not its number: never read as the VLAN.
  assert.ok(r.ignored_columns.includes("vlanId"));
});

Deno.test("hosts CSV: a phpIPAM hostname that is not a DNS name keeps its row", () => {
  const text = [
    "Section,IP Address,Hostname,Description,VRF,Subnet,MAC,Owner,Device,Note,Tag,Gateway",
    "Lab,198.51.100.30,PRINTER 3rd floor,,,198.51.100.0/24,00-00-5E-00-53-B7,,,Toner in B,Used,No",
    "Lab,198.51.100.31,Drucker EG (Empfang),Colour laser,,198.51.100.0/24,,,,,Used,No",
    "Lab,198.51.100.32,Scanner 2,Scanner 2 at reception,,198.51.100.0/24,,,,,Used,No",
    `Lab,198.51.100.33,Long name here,${"d".repeat(995)},,198.51.100.0/24,,,,,Used,No`,
    "Lab,198.51.100.34,web-01.example.net,Web,,198.51.100.0/24,,,,,Used,No",
  ].join("\n");
  const r = parseHostsCsv(text);
  assert.equal(r.format, "phpipam");
  assert.deepEqual(r.errors, []);
  const by = new Map(r.rows.map((row) => [row.value.ip, row.value]));
  const printer = by.get("198.51.100.30")!;
  assert.equal(printer.hostname, null);
  assert.equal(printer.description, "PRINTER 3rd floor");
  assert.equal(printer.mac, "00:00:5e:00:53:b7");
  assert.equal(printer.notes, "Toner in B");
  assert.equal(by.get("198.51.100.31")!.description, "Drucker EG (Empfang) — Colour laser");
  assert.equal(by.get("198.51.100.32")!.description, "Scanner 2 at reception", "not repeated");
  const long = by.get("198.51.100.33")!;
  assert.equal(long.description, "d".repeat(995));
  assert.equal(long.notes, "Hostname: Long name here");
  assert.equal(by.get("198.51.100.34")!.hostname, "web-01.example.net");
  assert.deepEqual(r.warnings.map((w) => w.line), [2, 3, 4, 5]);
  assert.match(
    r.warnings[0].message,
    /"PRINTER 3rd floor" is not a DNS name.*kept in the description/,
  );
  assert.match(r.warnings[3].message, /kept in the notes/);

  // A Pingfold file says hostname is a DNS name: there it stays an error.
  const own = parseHostsCsv("ip,hostname\n198.51.100.30,PRINTER 3rd floor\n");
  assert.equal(own.rows.length, 0);
  assert.match(own.errors[0].message, /not a DNS name/);
});

/** Every batch of a stream joined back into one result. */
async function joined<T>(
  source: { batches(size: number): AsyncGenerator<CsvParseResult<T> & { records: number }> },
  size: number,
) {
  const all = {
    rows: [] as unknown[],
    errors: [] as unknown[],
    warnings: [] as unknown[],
    folders: [] as unknown[],
  };
  const sizes: number[] = [];
  for await (const b of source.batches(size)) {
    all.rows.push(...b.rows);
    all.errors.push(...b.errors);
    all.warnings.push(...b.warnings);
    all.folders.push(...b.folders);
    sizes.push(b.records);
  }
  return { ...all, sizes };
}

const SAMPLES = new URL("../../static/samples/", import.meta.url);

Deno.test("streamed batches give the same rows, errors and lines as the whole-file parse", async () => {
  for (const name of ["hosts.csv", "phpipam_addresses.csv"]) {
    const text = await Deno.readTextFile(new URL(name, SAMPLES));
    const whole = parseHostsCsv(text);
    const stream = streamHostsCsv(text);
    assert.equal(stream.format, whole.format, name);
    assert.deepEqual(stream.ignored_columns, whole.ignored_columns, name);
    const got = await joined(stream, 4);
    assert.deepEqual(got.rows, whole.rows, name);
    assert.deepEqual(got.errors, whole.errors, name);
    assert.deepEqual(got.warnings, whole.warnings, name);
    assert.ok(got.sizes.slice(0, -1).every((n) => n === 4), `${name}: ${got.sizes}`);
  }
  for (const name of ["subnets.csv", "phpipam_subnets.csv"]) {
    const text = await Deno.readTextFile(new URL(name, SAMPLES));
    const whole = parseSubnetsCsv(text);
    const got = await joined(streamSubnetsCsv(text), 3);
    assert.deepEqual(got.rows, whole.rows, name);
    assert.deepEqual(got.folders, whole.folders, name);
    assert.deepEqual(got.errors, whole.errors, name);
  }
});

Deno.test("streamed: quoted newlines, CRLF, BOM and a duplicate in a later batch keep their lines", async () => {
  const text =
    '\uFEFFip,notes\r\n10.1.0.1,"two\r\nlines"\r\n10.1.0.2,x\r\n\r\n10.1.0.3,y\r\n10.1.0.1,z\r\n';
  const got = await joined(streamHostsCsv(text), 2);
  assert.deepEqual(
    (got.rows as { line: number; value: { ip: string } }[]).map((r) => [r.line, r.value.ip]),
    [[2, "10.1.0.1"], [4, "10.1.0.2"], [6, "10.1.0.3"]],
  );
  assert.deepEqual(got.errors, [{ line: 7, message: "duplicate of line 2" }]);
});

Deno.test("exceedsPreview counts data rows past the header; a bad header is refused at once", () => {
  const file = (n: number) =>
    ["ip", ...Array.from({ length: n }, (_, i) => `10.2.0.${i}`)].join("\n");
  assert.equal(exceedsPreview("hosts", file(5), 5), false);
  assert.equal(exceedsPreview("hosts", file(6), 5), true);
  assert.equal(refusal(() => exceedsPreview("hosts", "address\n10.2.0.1", 5)).code, "invalid_csv");
  assert.equal(refusal(() => streamSubnetsCsv("")).code, "invalid_csv");
});
