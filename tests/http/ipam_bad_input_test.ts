// The bad-input list: each gives a clear 4xx or a per-row error, and nothing is half-imported.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { parseSubnetsCsv } from "@/services/ipam/mod.ts";

async function importCsv(t: TestApp, kind: string, body: BodyInit, query = "") {
  const res = await t.call("POST", `/api/v1/import/${kind}${query}`, {
    body,
    headers: { "content-type": "text/csv" },
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) };
}

async function counts(t: TestApp) {
  const [r] = await t.db.query<{ s: number; h: number }>(
    "select (select count(*) from subnet)::int as s, (select count(*) from host)::int as h",
  );
  return r;
}

appTest(
  "invalid CIDRs and IPs, IPv4-mapped IPv6, /0 and zero-length input: precise 422s",
  async (t) => {
    const cases: Array<[string, unknown, RegExp]> = [
      ["/api/v1/subnets", { cidr: "10.0.0.300/24" }, /octet 300 > 255/],
      ["/api/v1/subnets", { cidr: "10.0.0.5/24" }, /host bits set; the network is 10\.0\.0\.0\/24/],
      ["/api/v1/subnets", { cidr: "0.0.0.0/0" }, /\/0/],
      ["/api/v1/subnets", { cidr: "::/0" }, /\/0/],
      ["/api/v1/subnets", { cidr: "" }, /empty/],
      ["/api/v1/subnets", { cidr: "10.0.0.0/" }, /prefix "" is not a number/],
      ["/api/v1/subnets", { cidr: "::ffff:0:0/96" }, /IPv4-mapped/],
      ["/api/v1/subnets", { cidr: "010.0.0.0/8" }, /leading zero/],
      ["/api/v1/subnets", { cidr: "2001:db8:::/48" }, /":::"|"::"/],
      ["/api/v1/hosts", { ip: "::ffff:198.51.100.1" }, /IPv4-mapped IPv6 address/],
      ["/api/v1/hosts", { ip: "" }, /empty/],
      ["/api/v1/hosts", { ip: "fe80::1%eth0" }, /zone ids/],
      ["/api/v1/hosts", { ip: "203.0.113.1", mac: "00:11:22:33:44" }, /invalid MAC/],
      ["/api/v1/hosts", { ip: "203.0.113.1", hostname: "bad host!" }, /not a DNS name/],
      ["/api/v1/hosts", { ip: "203.0.113.1", description: "nul\u0000byte" }, /NUL/],
    ];
    for (const [path, json, reason] of cases) {
      const res = await t.call("POST", path, { json });
      const body = await res.json();
      assert.equal(res.status, 422, `${JSON.stringify(json)} → ${JSON.stringify(body)}`);
      assert.match(body.error.message, reason, JSON.stringify(json));
    }
    const searchNul = await t.call("GET", "/api/v1/search?q=a%00b");
    assert.equal(searchNul.status, 422);
    assert.deepEqual(await counts(t), { s: 0, h: 0 });
  },
);

appTest("CSV with BOM, CRLF, quotes, semicolons and unicode imports cleanly", async (t) => {
  const subnets = '\uFEFFcidr;name;description\r\n203.0.113.0/24;"Zürich; café";"say ""hi"""\r\n';
  const r1 = await importCsv(t, "subnets", subnets);
  assert.equal(r1.status, 200, JSON.stringify(r1.body));
  const s = (await (await t.call("GET", "/api/v1/subnets")).json()).items[0];
  assert.equal(s.name, "Zürich; café");
  assert.equal(s.description, 'say "hi"');
  const hosts = 'ip,hostname,notes\r\n203.0.113.7,kiosk-🚀,"multi\r\nline"\r\n';
  const r2 = await importCsv(t, "hosts", hosts);
  assert.equal(r2.status, 422, "an emoji is not a DNS name");
  assert.match(r2.body.error.details.errors[0].message, /not a DNS name/);
  const r3 = await importCsv(t, "hosts", hosts.replace("kiosk-🚀", "kiosk-zürich"));
  assert.equal(r3.status, 200);
  const h = await (await t.call("GET", "/api/v1/hosts/by-ip/203.0.113.7")).json();
  assert.equal(h.hostname, "kiosk-zürich");
  assert.equal(h.notes, "multi\nline");
});

appTest(
  "wrong columns, empty files, non-UTF-8 and duplicate rows: clear errors, nothing written",
  async (t) => {
    const wrong = await importCsv(t, "hosts", "address,name\n203.0.113.1,x\n");
    assert.equal(wrong.status, 422);
    assert.equal(wrong.body.error.code, "invalid_csv");
    assert.match(wrong.body.error.message, /expected columns: ip,hostname/);
    const unknown = await importCsv(t, "subnets", "cidr,colour\n203.0.113.0/24,red\n");
    assert.equal(unknown.status, 422);
    assert.match(unknown.body.error.message, /colour/);
    const empty = await t.call("POST", "/api/v1/import/hosts", {
      body: "",
      headers: { "content-type": "text/csv" },
    });
    assert.equal(empty.status, 422);
    const headerOnly = await importCsv(t, "hosts", "ip,hostname\n");
    assert.equal(headerOnly.status, 200);
    assert.deepEqual(headerOnly.body.summary, {
      create: 0,
      update: 0,
      skip: 0,
      error: 0,
      folder: 0,
      warning: 0,
    });
    const latin1 = new Uint8Array([
      ...new TextEncoder().encode("cidr,name\n203.0.113.0/24,Z"),
      0xfc,
      0x0a,
    ]);
    const notUtf8 = await importCsv(t, "subnets", latin1);
    assert.equal(notUtf8.status, 422);
    assert.match(notUtf8.body.error.message, /not UTF-8/);
    const binary = await importCsv(t, "subnets", "cidr\n203.0.113.0/24\u0000\n");
    assert.equal(binary.status, 422);

    await importCsv(t, "subnets", "cidr\n203.0.113.0/24\n");
    const dups = await importCsv(
      t,
      "hosts",
      "ip\n203.0.113.1\n203.0.113.01\n203.0.113.1\n",
      "?dry_run=true",
    );
    assert.equal(dups.status, 200);
    assert.deepEqual(dups.body.errors.map((e: { line: number }) => e.line), [3, 4]);
    assert.match(dups.body.errors[0].message, /leading zero/);
    assert.match(dups.body.errors[1].message, /duplicate of line 2/);
    assert.deepEqual(await counts(t), { s: 1, h: 0 });
  },
);

appTest("a file above the preview cap is queued in batches, not refused", async (t) => {
  await importCsv(t, "subnets", "cidr\n10.0.0.0/16\n");
  const lines = ["ip"];
  for (let i = 0; i < 10_001; i++) lines.push(`10.0.${i >> 8 & 255}.${i & 255}`);
  const res = await importCsv(t, "hosts", lines.join("\n"));
  assert.equal(res.status, 202);
  assert.equal(res.body.batch_size, 5_000);
  await t.deps.services.tasks.drain();
  const task = await (await t.call("GET", res.body.task_url)).json();
  assert.equal(task.status, "succeeded", task.error);
  assert.equal(task.result.summary.create, 10_001);
  assert.deepEqual(await counts(t), { s: 1, h: 10_001 });
  // A large file whose header is wrong is refused at once, before any task.
  lines[0] = "colour";
  const bad = await importCsv(t, "hosts", lines.join("\n"));
  assert.equal(bad.status, 422);
  assert.equal(bad.body.error.code, "invalid_csv");
});

appTest(
  "a CSV above MAX_UPLOAD_BYTES is a 413 and nothing is imported",
  async (t) => {
    const big = "ip,notes\n" +
      Array.from({ length: 200 }, (_, i) => `203.0.113.${i},${"x".repeat(50)}`)
        .join("\n");
    const res = await t.call("POST", "/api/v1/import/hosts", {
      body: big,
      headers: { "content-type": "text/csv" },
    });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, "payload_too_large");
    const form = new FormData();
    form.append("file", new File([big], "big.csv"));
    assert.equal((await t.call("POST", "/api/v1/import/hosts", { body: form })).status, 413);
    assert.deepEqual(await counts(t), { s: 0, h: 0 });
  },
  { MAX_UPLOAD_BYTES: "4096" },
);

appTest("HTML and script in names are stored literally and escaped on every page", async (t) => {
  const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
  const s = await t.call("POST", "/api/v1/subnets", {
    json: {
      cidr: "203.0.113.0/24",
      name: evil,
      description: evil,
      location: evil,
      tags: ["<b>t</b>"],
    },
  });
  assert.equal(s.status, 201);
  const subnet = await s.json();
  assert.equal(subnet.name, evil);
  const h = await t.call("POST", "/api/v1/hosts", {
    json: { ip: "203.0.113.5", description: evil, notes: evil, tags: ["<i>x</i>"] },
  });
  assert.equal(h.status, 201);
  for (const path of ["/", "/subnets", `/subnets/${subnet.id}`, "/search?q=script"]) {
    const res = await t.call("GET", path);
    assert.equal(res.status, 200, path);
    const html = await res.text();
    assert.doesNotMatch(html, /<script>alert/, path);
    assert.doesNotMatch(html, /<img src=x/, path);
    assert.doesNotMatch(html, /<b>t<\/b>|<i>x<\/i>/, path);
    assert.match(html, /&lt;script(&gt;|>)alert/, path);
  }
  const csv = await (await t.call("GET", "/api/v1/export/subnets.csv")).text();
  // CSV keeps the text as it is: it is data, not markup.
  assert.equal(parseSubnetsCsv(csv).rows[0].value.name, evil);
});
