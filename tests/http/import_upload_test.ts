// The file previewed on the Import page is kept on the server and confirmed by its id: a used,
// expired, unknown or another user's id is a 410 with a clear message, a missing one a 422.
import assert from "node:assert/strict";
import { appTest, type Session, type TestApp } from "@/tests/support/test_app.ts";

const CSV = "ip,hostname\n127.0.2.10,web-01\n127.0.2.11,web-02\n";

/** Previews CSV as `who` and returns the confirm form's fields (with who's CSRF token). */
async function preview(t: TestApp, who: Session, csv = CSV): Promise<URLSearchParams> {
  const form = new FormData();
  form.append("_csrf", who.csrf);
  form.append("kind", "hosts");
  form.append("on_existing", "update");
  form.append("file", new File([csv], "hosts.csv", { type: "text/csv" }));
  const res = await t.call("POST", "/import/preview", {
    body: form,
    headers: { "x-csrf-token": "" },
    as: who,
  });
  assert.equal(res.status, 200);
  const html = await res.text();
  const fields = new URLSearchParams(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)]
      .map((m) => [m[1], m[2]]),
  );
  assert.match(fields.get("upload_id") ?? "", /^[\w-]{32}$/);
  return fields;
}

async function confirm(t: TestApp, who: Session, fields: URLSearchParams) {
  const body = new URLSearchParams(fields);
  body.set("_csrf", who.csrf);
  const res = await t.call("POST", "/import/apply", {
    body,
    headers: { "x-csrf-token": "" },
    as: who,
  });
  return { status: res.status, html: await res.text() };
}

const hostCount = async (t: TestApp) =>
  Number((await t.db.query<{ n: number }>("select count(*)::int as n from host"))[0].n);

async function editor(t: TestApp, username: string): Promise<Session> {
  const made = await t.call("POST", "/api/v1/users", {
    json: {
      username,
      password: `${username}-password-1`,
      role: "editor",
      must_change_password: false,
    },
  });
  assert.equal(made.status, 201, await made.text());
  return await t.login(username, `${username}-password-1`);
}

appTest("an expired preview is a 410 that says to upload again", async (t) => {
  await t.call("POST", "/api/v1/subnets", { json: { cidr: "127.0.2.0/24" } });
  const fields = await preview(t, t.admin);
  t.clock.now += 61 * 60 * 1000;
  const late = await confirm(t, t.admin, fields);
  assert.equal(late.status, 410);
  assert.match(late.html, /this preview has expired or was already imported/);
  assert.match(late.html, /upload the file again/);
  assert.match(late.html, /data-testid="import-error"/, "the upload form is shown again");
  assert.equal(await hostCount(t), 0);
});

appTest("an unknown or missing upload id is a 4xx, never a 500", async (t) => {
  await t.call("POST", "/api/v1/subnets", { json: { cidr: "127.0.2.0/24" } });
  const fields = await preview(t, t.admin);
  for (const id of ["A".repeat(32), "../../etc/passwd", "x"]) {
    const f = new URLSearchParams(fields);
    f.set("upload_id", id);
    const res = await confirm(t, t.admin, f);
    assert.equal(res.status, 410, id);
    assert.match(res.html, /upload the file again/);
  }
  const none = new URLSearchParams(fields);
  none.delete("upload_id");
  const missing = await confirm(t, t.admin, none);
  assert.equal(missing.status, 422);
  assert.match(missing.html, /names no previewed file/);
  assert.equal(await hostCount(t), 0);
  // The real id still works: the wrong ones did not use it up.
  const ok = await confirm(t, t.admin, fields);
  assert.equal(ok.status, 200);
  assert.equal(await hostCount(t), 2);
});

appTest("another user cannot confirm someone's preview", async (t) => {
  await t.call("POST", "/api/v1/subnets", { json: { cidr: "127.0.2.0/24" } });
  const eve = await editor(t, "eve");
  const fields = await preview(t, t.admin);
  const stolen = await confirm(t, eve, fields);
  assert.equal(stolen.status, 410);
  assert.match(stolen.html, /this preview has expired or was already imported/);
  assert.equal(await hostCount(t), 0);
  const own = await confirm(t, t.admin, fields);
  assert.equal(own.status, 200);
  assert.match(own.html, /Imported 2 new and 0 updated/);
});

appTest("a user keeps at most three previews; the oldest goes first", async (t) => {
  await t.call("POST", "/api/v1/subnets", { json: { cidr: "127.0.2.0/24" } });
  const first = await preview(t, t.admin);
  t.clock.now += 1000;
  for (let i = 0; i < 3; i++) {
    await preview(t, t.admin);
    t.clock.now += 1000;
  }
  const [kept] = await t.db.query<{ n: number }>("select count(*)::int as n from import_upload");
  assert.equal(Number(kept.n), 3);
  assert.equal((await confirm(t, t.admin, first)).status, 410);
});

appTest(
  "a large file's check page needs its own upload and task; a failed check says why",
  async (t) => {
    assert.equal((await t.call("GET", "/import/preview")).headers.get("location"), "/import");
    // 12,001 rows (above the preview cap) whose last line has an open quote.
    const rows = Array.from({ length: 12_000 }, (_, i) => `127.1.${i >> 8 & 255}.${i & 255},h${i}`);
    const csv = `ip,hostname\n${rows.join("\n")}\n127.2.0.1,"broken\n`;
    const form = new FormData();
    form.append("_csrf", t.admin.csrf);
    form.append("kind", "hosts");
    form.append("allow_orphan", "1");
    form.append("file", new File([csv], "hosts.csv", { type: "text/csv" }));
    const posted = await t.call("POST", "/import/preview", {
      body: form,
      headers: { "x-csrf-token": "" },
    });
    assert.equal(posted.status, 303);
    const at = posted.headers.get("location")!;
    const [, upload, task] = /upload=([\w-]+)&task=([0-9a-f-]+)/.exec(at)!;
    await t.deps.services.tasks.drain();
    const failed = await t.call("GET", at);
    assert.equal(failed.status, 422);
    const html = await failed.text();
    assert.match(html, /data-testid="import-error"/);
    assert.match(html, /quote/i);

    const other = await t.call(
      "GET",
      `/import/preview?upload=${upload}&task=${crypto.randomUUID()}`,
    );
    assert.equal(other.status, 404);
    assert.match(await other.text(), /upload the file again/);
    const noUpload = await t.call("GET", `/import/preview?upload=${"B".repeat(32)}&task=${task}`);
    assert.equal(noUpload.status, 410);
  },
);
