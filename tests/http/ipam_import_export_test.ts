// CSV import/export through HTTP: dry run then real import, phpIPAM columns, streaming export.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { parseHostsCsv } from "@/services/ipam/mod.ts";

const sample = (name: string) =>
  Deno.readTextFile(new URL(`../../static/samples/${name}`, import.meta.url));

async function importCsv(t: TestApp, kind: string, csv: BodyInit, query = "") {
  const res = await t.call("POST", `/api/v1/import/${kind}${query}`, {
    body: csv,
    headers: { "content-type": "text/csv" },
  });
  return { status: res.status, body: await res.json() };
}

appTest(
  "dry run previews create/update/skip without writing; the real run imports it all",
  async (t) => {
    const dry = await importCsv(t, "subnets", await sample("subnets.csv"), "?dry_run=true");
    assert.equal(dry.status, 200);
    assert.equal(dry.body.dry_run, true);
    assert.deepEqual(dry.body.summary, {
      create: 7,
      update: 0,
      skip: 0,
      error: 0,
      folder: 0,
      warning: 0,
    });
    assert.equal((await (await t.call("GET", "/api/v1/subnets")).json()).items.length, 0);

    const real = await importCsv(t, "subnets", await sample("subnets.csv"));
    assert.equal(real.status, 200);
    assert.equal(real.body.summary.create, 7);
    const hosts = await importCsv(t, "hosts", await sample("hosts.csv"));
    assert.equal(hosts.status, 200);
    assert.equal(hosts.body.summary.error, 0);
    assert.equal(hosts.body.summary.create, 26);

    // Once more: everything is unchanged.
    const again = await importCsv(t, "hosts", await sample("hosts.csv"), "?dry_run=1");
    assert.deepEqual(again.body.summary, {
      create: 0,
      update: 0,
      skip: 26,
      error: 0,
      folder: 0,
      warning: 0,
    });

    const db = await (await t.call("GET", "/api/v1/hosts/by-ip/127.0.2.20")).json();
    assert.equal(db.notes, "Backups nightly at 02:00 UTC.\nFailover target: db-02.");
    assert.deepEqual(db.tags, ["prod", "db"]);
  },
);

appTest("multipart upload and phpIPAM address exports are accepted", async (t) => {
  await importCsv(t, "subnets", await sample("subnets.csv"));
  const form = new FormData();
  form.append("file", new File([await sample("phpipam_addresses.csv")], "export.csv"));
  const res = await t.call("POST", "/api/v1/import/hosts?dry_run=true", { body: form });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.format, "phpipam");
  assert.deepEqual(body.ignored_columns, ["Section", "VRF", "Subnet"]);
  assert.deepEqual(body.summary, {
    create: 10,
    update: 0,
    skip: 0,
    error: 0,
    folder: 0,
    warning: 1,
  });
});

appTest("a file with bad rows imports nothing, with every line reported", async (t) => {
  await importCsv(t, "subnets", "cidr\n127.0.2.0/24\n");
  const csv = "ip,hostname\r\n127.0.2.1,ok\r\n127.0.2.999,bad\r\n127.0.2.1,again\r\n";
  const res = await importCsv(t, "hosts", csv);
  assert.equal(res.status, 422);
  assert.equal(res.body.error.code, "import_has_errors");
  assert.deepEqual(res.body.error.details.errors.map((e: { line: number }) => e.line), [3, 4]);
  assert.equal((await (await t.call("GET", "/api/v1/hosts")).json()).items.length, 0);
  const partial = await importCsv(t, "hosts", csv, "?skip_errors=true");
  assert.equal(partial.status, 200);
  assert.equal(partial.body.summary.create, 1);
});

appTest("exports are CSV the importer reads back, with formula cells neutralized", async (t) => {
  await importCsv(t, "subnets", "cidr,name\n127.0.2.0/24,=cmd|'/c calc'!A1\n2001:db8::/64,v6\n");
  const hostsCsv = [
    "ip,hostname,description,tags,notes",
    `127.0.2.1,gw,"+SUM(1,2)",a;b,"@import"`,
    `127.0.2.2,,-10 dBm,,"tab"`,
    `2001:db8::5,v6host,"<script>alert(1)</script>",,"line 1\nline 2"`,
  ].join("\n");
  assert.equal((await importCsv(t, "hosts", hostsCsv)).status, 200);

  const res = await t.call("GET", "/api/v1/export/hosts.csv");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/csv/);
  assert.match(
    res.headers.get("content-disposition") ?? "",
    /attachment; filename="pingfold-hosts-/,
  );
  const text = await res.text();
  assert.match(text, /^ip,hostname,description,tags,notes,mac\r\n/);
  assert.match(text, /127\.0\.2\.1,gw,"'\+SUM\(1,2\)",a;b,'@import,/);
  assert.match(text, /127\.0\.2\.2,,'-10 dBm,,tab,/);
  const back = parseHostsCsv(text);
  assert.deepEqual(back.errors, []);
  assert.equal(back.rows.find((r) => r.value.ip === "127.0.2.1")!.value.description, "+SUM(1,2)");
  assert.equal(back.rows.find((r) => r.value.ip === "2001:db8::5")!.value.notes, "line 1\nline 2");

  const subnets = await (await t.call("GET", "/api/v1/export/subnets.csv?family=4")).text();
  assert.match(
    subnets,
    /^cidr,name,description,vlan,tags,location,scan_enabled,scan_interval_s\r\n/,
  );
  assert.match(subnets, /127\.0\.2\.0\/24,'=cmd\|'\/c calc'!A1,/);
  assert.doesNotMatch(subnets, /2001:db8/);

  const filtered = await (await t.call("GET", "/api/v1/export/hosts.csv?within=2001:db8::/64"))
    .text();
  assert.deepEqual(parseHostsCsv(filtered).rows.map((r) => r.value.ip), ["2001:db8::5"]);
  const bom = await (await t.call("GET", "/api/v1/export/hosts.csv?bom=true")).arrayBuffer();
  assert.deepEqual([...new Uint8Array(bom).slice(0, 3)], [0xef, 0xbb, 0xbf]);
});

appTest("exports stream more than one page of rows in address order", async (t) => {
  await importCsv(t, "subnets", "cidr\n10.0.0.0/16\n");
  const lines = ["ip"];
  for (let i = 0; i < 2500; i++) lines.push(`10.0.${i >> 8}.${(i & 255)}`);
  assert.equal((await importCsv(t, "hosts", lines.join("\n"), "?skip_errors=1")).status, 200);
  const text = await (await t.call("GET", "/api/v1/export/hosts.csv")).text();
  const ips = text.trim().split("\r\n").slice(1).map((l) => l.split(",")[0]);
  assert.equal(ips.length, 2500, "10.0.0.0 is the network address but still a valid host row");
  assert.equal(new Set(ips).size, ips.length, "no row twice across pages");
  assert.equal(ips[0], "10.0.0.0");
  assert.equal(ips.at(-1), "10.0.9.195");
});

/** Posts a file to the /import/preview page as the browser's form does. */
async function previewPage(t: TestApp, kind: string, csv: string): Promise<string> {
  const form = new FormData();
  form.append("_csrf", t.admin.csrf);
  form.append("kind", kind);
  form.append("on_existing", "update");
  form.append("file", new File([csv], "export.csv", { type: "text/csv" }));
  const res = await t.call("POST", "/import/preview", {
    body: form,
    headers: { "x-csrf-token": "" },
  });
  assert.equal(res.status, 200);
  return await res.text();
}

appTest("a phpIPAM subnets export with folders imports without skip_errors", async (t) => {
  const csv = await sample("phpipam_subnets.csv");
  const html = await previewPage(t, "subnets", csv);
  assert.match(html, /data-testid="count-error">0</);
  assert.match(html, /data-testid="count-folder">3</);
  assert.match(html, /data-testid="import-folders"[\s\S]*Branch offices/);
  assert.doesNotMatch(html, /data-testid="import-errors"/);

  const res = await importCsv(t, "subnets", csv);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.summary, {
    create: 5,
    update: 0,
    skip: 0,
    error: 0,
    folder: 3,
    warning: 0,
  });
  assert.deepEqual(res.body.skipped_folders, [
    { line: 2, name: "Datacenter" },
    { line: 6, name: "Branch offices" },
    { line: 7, name: "Zurich" },
  ]);
  const list = (await (await t.call("GET", "/api/v1/subnets?limit=100")).json()).items;
  assert.deepEqual(list.map((s: { cidr: string }) => s.cidr).sort(), [
    "198.51.100.0/24",
    "198.51.100.0/26",
    "2001:db8:0:20::/64",
    "2001:db8:0:30::/64",
    "203.0.113.0/24",
  ]);
  assert.ok(list.every((s: { scan_enabled: boolean }) => !s.scan_enabled));
});

appTest("a phpIPAM address with a free-text hostname keeps its MAC and notes", async (t) => {
  await importCsv(t, "subnets", await sample("phpipam_subnets.csv"));
  const csv = [
    "Section,IP Address,Hostname,Description,VRF,Subnet,MAC,Owner,Device,Note,Tag,Gateway",
    "Customers,198.51.100.30,PRINTER 3rd floor,,,198.51.100.0/26,00:00:5E:00:53:B7,," +
    'access-sw3,"Toner in cabinet B",Used,No',
    "Customers,203.0.113.8,fw-01.example.net,Firewall,,203.0.113.0/24,,,,,Used,Yes",
  ].join("\r\n");
  const html = await previewPage(t, "hosts", csv);
  assert.match(html, /data-testid="count-warning">1</);
  assert.match(html, /data-testid="import-warnings"[\s\S]*PRINTER 3rd floor[\s\S]*description/);

  const res = await importCsv(t, "hosts", csv);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.summary.create, 2);
  assert.equal(res.body.summary.error, 0);
  assert.deepEqual(res.body.warnings.map((w: { line: number }) => w.line), [2]);
  const printer = await (await t.call("GET", "/api/v1/hosts/by-ip/198.51.100.30")).json();
  assert.equal(printer.hostname, null);
  assert.equal(printer.description, "PRINTER 3rd floor");
  assert.equal(printer.mac, "00:00:5e:00:53:b7");
  assert.equal(printer.notes, "Toner in cabinet B\nDevice: access-sw3");
});
