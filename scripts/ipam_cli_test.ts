// The IPAM CLI commands (seed, import, export) against both engines, without a terminal.
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { listHosts, listSubnets } from "@/services/ipam/mod.ts";
import type { Db } from "@/services/store/mod.ts";
import { runSeed } from "./seed.ts";
import { type ImportCliIo, runImport, UsageError } from "./import.ts";
import { runExport } from "./export.ts";

function io(db: Db, files: Record<string, string>, maxBytes = 1_000_000) {
  const lines: string[] = [];
  const cli: ImportCliIo = {
    db,
    read: (path) => {
      if (!(path in files)) return Promise.reject(new Deno.errors.NotFound(path));
      return Promise.resolve(new TextEncoder().encode(files[path]));
    },
    maxBytes,
    print: (line) => lines.push(line),
  };
  return { cli, lines };
}

async function exportText(db: Db, args: string[]): Promise<string> {
  let text = "";
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  await runExport(args, db, () =>
    Promise.resolve(
      new WritableStream<Uint8Array>({
        write: (c) => void (text += decoder.decode(c, { stream: true })),
      }),
    ));
  return text;
}

dbTest("seed loads the demo set once and says so", async (db) => {
  const first = await runSeed(db);
  assert.match(first[0], /^subnets: 7 created, 0 already there$/);
  assert.match(first[1], /^hosts: 26 created/);
  assert.ok((await listSubnets(db)).every((s) => !s.scan_enabled));
  const again = await runSeed(db);
  assert.match(again[1], /^hosts: 0 created, 26 already there$/);
});

dbTest(
  "import: dry run reports, errors refuse the file (exit 1), then the real run",
  async (db) => {
    const files = {
      "subnets.csv": "cidr,name\n198.51.100.0/24,Servers\n",
      "hosts.csv": "ip,hostname\n198.51.100.1,gw\n198.51.100.300,bad\n",
    };
    const a = io(db, files);
    assert.equal(await runImport(["subnets", "subnets.csv"], a.cli), 0);
    assert.match(a.lines[0], /did create 1, update 0, skip 0; 0 row\(s\) with errors/);

    const b = io(db, files);
    assert.equal(await runImport(["hosts", "hosts.csv", "--dry-run"], b.cli), 1);
    assert.match(b.lines[0], /would create 1/);
    assert.match(b.lines[1], /^line 3: .*octet 300 > 255/);

    const c = io(db, files);
    assert.equal(await runImport(["hosts", "hosts.csv"], c.cli), 1);
    assert.match(c.lines[0], /^nothing imported: 1 row\(s\) have errors/);
    assert.equal((await listHosts(db)).length, 0);

    const d = io(db, files);
    assert.equal(await runImport(["hosts", "hosts.csv", "--skip-errors", "--json"], d.cli), 0);
    assert.equal(JSON.parse(d.lines.join("\n")).summary.create, 1);
    assert.deepEqual((await listHosts(db)).map((h) => h.ip), ["198.51.100.1"]);

    await assert.rejects(runImport(["routers", "x.csv"], io(db, files).cli), UsageError);
    await assert.rejects(runImport(["hosts"], io(db, files).cli), UsageError);
    await assert.rejects(
      runImport(["hosts", "hosts.csv"], io(db, files, 10).cli),
      /larger than 10 bytes/,
    );
  },
);

dbTest(
  "export writes the importer's columns, filtered by prefix and tag, optional BOM",
  async (db) => {
    await runSeed(db);
    const hosts = await exportText(db, ["hosts", "--within", "203.0.113.0/24"]);
    const lines = hosts.trim().split("\r\n");
    assert.equal(lines[0], "ip,hostname,description,tags,notes,mac");
    assert.equal(lines.length, 6);
    assert.ok(lines.every((l, i) => i === 0 || l.startsWith("203.0.113.")));
    const subnets = await exportText(db, ["subnets", "--tag", "ipv6", "--bom"]);
    assert.ok(subnets.startsWith("\uFEFFcidr,name"));
    assert.equal(subnets.trim().split("\r\n").length, 4);
  },
);

dbTest("import of a file above the preview cap runs in batches with progress lines", async (db) => {
  const rows = Array.from({ length: 12_000 }, (_, i) => `10.40.${i >> 8 & 255}.${i & 255},h${i}`);
  rows[11_000] = "10.40.300.1,bad"; // line 11,002
  const files = { "big.csv": ["ip,hostname", ...rows].join("\n"), "net.csv": "cidr\n10.40.0.0/16" };
  assert.equal(await runImport(["subnets", "net.csv"], io(db, files).cli), 0);
  const refused = io(db, files);
  assert.equal(await runImport(["hosts", "big.csv"], refused.cli), 1);
  assert.ok(
    refused.lines.includes('line 11002: invalid IP "10.40.300.1": octet 300 > 255'),
    refused.lines.join("\n"),
  );
  assert.equal((await listHosts(db)).length, 0);
  const progress: string[] = [];
  const run = io(db, files);
  run.cli.progress = (line) => progress.push(line);
  assert.equal(await runImport(["hosts", "big.csv", "--skip-errors"], run.cli), 0);
  assert.match(run.lines[0], /did create 11999, update 0, skip 0; 1 row\(s\) with errors/);
  assert.equal(run.lines[1], "12000 rows in 3 batches of 5000");
  assert.deepEqual(progress.filter((l) => l.startsWith("imported")), [
    "imported 0 of 12,000 rows",
    "imported 5,000 of 12,000 rows",
    "imported 10,000 of 12,000 rows",
    "imported 12,000 of 12,000 rows",
  ]);
  const [logged] = await db.query<{ detail: { summary: { create: number }; batched: boolean } }>(
    "select detail from audit_log where action = 'ipam.import' and target = 'hosts'",
  );
  assert.equal(logged.detail.summary.create, 11_999);
  assert.equal(logged.detail.batched, true);
});
