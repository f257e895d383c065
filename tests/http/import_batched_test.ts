// A 60,000-row hosts CSV through the API on both engines: the dry run counts the whole file, a bad
// row refuses it (errors with their lines), skip_errors imports every good row in batches as a
// task whose progress only grows; the audit log says what was imported.
import assert from "node:assert/strict";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";

const ROWS = 60_000;
/** Host i sits on line i + 2 (line 1 is the header); these rows are broken on purpose. */
const BAD = new Map([
  [17, "10.50.0.300"], // line 19: not an address
  [31_234, "10.51.0.1"], // line 31,236: outside every subnet
  [59_999, "10.50.0.5"], // line 60,001: a duplicate of line 7
]);

function bigCsv(): string {
  const lines = ["ip,hostname,tags"];
  for (let i = 0; i < ROWS; i++) {
    const ip = BAD.get(i) ?? `10.50.${i >> 8 & 255}.${i & 255}`;
    lines.push(`${ip},host-${i},bulk`);
  }
  return lines.join("\n") + "\n";
}

async function post(t: TestApp, csv: string, query = "") {
  const res = await t.call("POST", `/api/v1/import/hosts${query}`, {
    body: csv,
    headers: { "content-type": "text/csv" },
  });
  return { status: res.status, body: await res.json() };
}

interface TaskBody {
  status: string;
  progress: number;
  note: string | null;
  error: string | null;
  result: {
    summary: Record<string, number>;
    errors: { line: number; message: string }[];
    batches?: { rows: number; batch_size: number; count: number };
  } | null;
}

/** Polls the task until it ends, keeping every state seen. */
async function follow(t: TestApp, id: string): Promise<TaskBody[]> {
  const seen: TaskBody[] = [];
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    const res = await t.call("GET", `/api/v1/tasks/${id}`);
    assert.equal(res.status, 200);
    const task = await res.json() as TaskBody;
    seen.push(task);
    if (task.status === "succeeded" || task.status === "failed") return seen;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`task ${id} did not finish in time; last: ${JSON.stringify(seen.at(-1))}`);
}

async function hostCount(t: TestApp): Promise<number> {
  const [r] = await t.db.query<{ n: number }>("select count(*)::int as n from host");
  return Number(r.n);
}

const EXPECTED_LINES = [19, 31_236, 60_001];

appTest("a 60,000-row CSV is previewed whole and imported in batches with progress", async (t) => {
  const made = await t.call("POST", "/api/v1/subnets", { json: { cidr: "10.50.0.0/16" } });
  assert.equal(made.status, 201);
  const csv = bigCsv();

  const dry = await post(t, csv, "?dry_run=true");
  assert.equal(dry.status, 200);
  assert.deepEqual(dry.body.summary, {
    create: ROWS - 3,
    update: 0,
    skip: 0,
    error: 3,
    folder: 0,
    warning: 0,
  });
  assert.deepEqual(dry.body.batches, {
    rows: ROWS,
    batch_size: 5_000,
    count: 12,
    list_limit: 1_000,
  });
  assert.equal(dry.body.rows.length, 1_000);
  assert.deepEqual(dry.body.errors.map((e: { line: number }) => e.line), EXPECTED_LINES);
  assert.equal(await hostCount(t), 0);

  // Without skip_errors: the whole file is checked, the task fails and nothing is written.
  const refused = await post(t, csv);
  assert.equal(refused.status, 202);
  assert.match(refused.body.task_url, /^\/api\/v1\/tasks\/[0-9a-f-]{36}$/);
  const failed = (await follow(t, refused.body.task_id)).at(-1)!;
  assert.equal(failed.status, "failed");
  assert.match(failed.error!, /^3 row\(s\) have errors \(first: line 19: .*nothing was imported/);
  assert.deepEqual(failed.result!.errors.map((e) => e.line), EXPECTED_LINES);
  assert.match(failed.result!.errors[1].message, /not inside any subnet/);
  assert.equal(failed.result!.errors[2].message, "duplicate of line 7");
  assert.equal(await hostCount(t), 0);

  // With skip_errors: every good row is imported, batch by batch, with growing progress.
  const started = await post(t, csv, "?skip_errors=true");
  assert.equal(started.status, 202);
  const states = await follow(t, started.body.task_id);
  const done = states.at(-1)!;
  assert.equal(done.status, "succeeded", done.error ?? "");
  assert.equal(done.result!.summary.create, ROWS - 3);
  assert.equal(done.result!.summary.error, 3);
  assert.deepEqual(done.result!.errors.map((e) => e.line), EXPECTED_LINES);
  assert.deepEqual(done.result!.batches, {
    rows: ROWS,
    batch_size: 5_000,
    count: 12,
    list_limit: 1_000,
  });
  assert.equal(done.note, `imported 60,000 of 60,000 rows`);
  assert.equal(await hostCount(t), ROWS - 3);

  const progress = states.map((s) => s.progress);
  assert.deepEqual(progress, [...progress].sort((a, b) => a - b), "progress never goes back");
  const writing = states.filter((s) => /^imported [\d,]+ of 60,000 rows$/.test(s.note ?? ""));
  const between = new Set(writing.map((s) => s.progress).filter((p) => p > 0.2 && p < 1));
  assert.ok(between.size >= 2, `progress seen while writing: ${[...between].join(", ")}`);

  const [logged] = await t.db.query<{ username: string; detail: Record<string, unknown> }>(
    "select username, detail from audit_log where action = 'ipam.import' order by id desc limit 1",
  );
  assert.equal(logged.username, "admin");
  assert.deepEqual(logged.detail, {
    via: "api",
    batched: true,
    summary: { create: ROWS - 3, update: 0, skip: 0, error: 3, folder: 0, warning: 0 },
    rows: ROWS,
    batches: 12,
  });
});

/** The hidden fields of the preview's confirm form, as the browser would post them. */
function confirmFields(html: string, csrf: string): URLSearchParams {
  const form = /<form method="post" action="\/import\/apply"[\s\S]*?<\/form>/.exec(html);
  assert.ok(form, "the preview has a confirm form");
  const fields = new URLSearchParams();
  for (const m of form[0].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    fields.set(m[1], m[2]);
  }
  fields.set("_csrf", csrf);
  return fields;
}

appTest("the Import page previews a 50,000-row file in a small page and imports it", async (t) => {
  await t.call("POST", "/api/v1/subnets", { json: { cidr: "10.50.0.0/16" } });
  const rows = 50_000;
  const lines = ["ip,hostname,description"];
  for (let i = 0; i < rows; i++) {
    lines.push(`10.50.${i >> 8 & 255}.${i & 255},host-${i},kept on the server until confirmed`);
  }
  const csv = lines.join("\n") + "\n";
  const form = new FormData();
  form.append("_csrf", t.admin.csrf);
  form.append("kind", "hosts");
  form.append("on_existing", "update");
  form.append("file", new File([csv], "hosts.csv", { type: "text/csv" }));
  const started = performance.now();
  const posted = await t.call("POST", "/import/preview", {
    body: form,
    headers: { "x-csrf-token": "" },
  });
  // The upload answers before the check: the file is kept and checked by a task.
  assert.equal(posted.status, 303, await posted.text());
  const answeredMs = performance.now() - started;
  const at = posted.headers.get("location") ?? "";
  const link = /^\/import\/preview\?upload=([\w-]{32})&task=([0-9a-f-]{36})$/.exec(at);
  assert.ok(link, `redirected to ${at}`);
  const checking = await (await t.call("GET", at)).text();
  assert.match(checking, /Checking the file|data-testid="count-create"/);
  const check = (await follow(t, link[2])).at(-1)!;
  assert.equal(check.status, "succeeded", check.error ?? "");
  assert.equal(check.note, "checked 50,000 rows");
  assert.equal(await hostCount(t), 0, "the check writes nothing");
  const preview = await t.call("GET", at);
  assert.equal(preview.status, 200);
  const html = await preview.text();
  assert.match(html, /data-testid="count-create">50,000</);
  assert.match(html, /data-testid="import-batches"/);
  // Another user can neither see this preview nor confirm it.
  await t.call("POST", "/api/v1/users", {
    json: {
      username: "eve",
      password: "eve-password-1",
      role: "editor",
      must_change_password: false,
    },
  });
  const eve = await t.login("eve", "eve-password-1");
  const peeked = await t.call("GET", at, { as: eve });
  assert.equal(peeked.status, 410);
  assert.match(await peeked.text(), /upload the file again/);
  const stolen = await t.call("POST", "/import/apply", {
    body: confirmFields(html, eve.csrf),
    headers: { "x-csrf-token": "" },
    as: eve,
  });
  assert.equal(stolen.status, 410);
  assert.equal(await hostCount(t), 0);
  const bytes = new TextEncoder().encode(html).length;
  assert.ok(csv.length > 2_000_000, `the file is ${csv.length} bytes`);
  assert.ok(bytes < 300_000, `the preview page is ${bytes} bytes`);
  assert.doesNotMatch(html, /host-49999/, "rows past the shown page stay on the server");
  console.log(
    `50,000-row preview: upload answered in ${Math.round(answeredMs)} ms, page ${bytes} B`,
  );

  const applied = await t.call("POST", "/import/apply", {
    body: confirmFields(html, t.admin.csrf),
    headers: { "x-csrf-token": "" },
  });
  assert.equal(applied.status, 303, await applied.text());
  const task = /^\/import\?task=([0-9a-f-]{36})$/.exec(applied.headers.get("location") ?? "");
  assert.ok(task, `redirected to ${applied.headers.get("location")}`);
  const done = (await follow(t, task[1])).at(-1)!;
  assert.equal(done.status, "succeeded", done.error ?? "");
  assert.equal(done.result!.summary.create, rows);
  assert.equal(await hostCount(t), rows);
  const [kept] = await t.db.query<{ n: number }>("select count(*)::int as n from import_upload");
  assert.equal(Number(kept.n), 0, "the kept file is gone once imported");
});
