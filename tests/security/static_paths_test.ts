// Hostile paths against /static and /_build: nothing outside the folders, no hang, no 500.
import assert from "node:assert/strict";
import { Hono } from "hono";
import { appTest } from "@/tests/support/test_app.ts";
import { serveFrom } from "@/web/static_files.ts";
import { errorResponse } from "@/web/http_errors.ts";
import type { AppEnv } from "@/web/env.ts";

/** 400: a malformed escape; 404: refused; "no-leak": the URL parser rewrote it elsewhere. */
type Expect = 400 | 404 | "no-leak";

const SECRET_DIR = Deno.makeTempDirSync({ prefix: "pf-secret-" });
const SECRET = `${SECRET_DIR}/kv.sqlite3`;
Deno.writeTextFileSync(SECRET, "SECRET-SESSION-ID-0123456789");
const enc = (p: string) => p.replaceAll("/", "%2F");

/** Path tails after the prefix, each with what it must give. */
const HOSTILE: [string, Expect][] = [
  ["%2Fetc%2Fpasswd", 404],
  ["%2fetc%2fpasswd", 404],
  ["/etc/passwd", 404], // → /static//etc/passwd
  ["%2F%2Fetc%2Fpasswd", 404],
  ["file:%2F%2F%2Fetc%2Fpasswd", 404],
  ["..%2F..%2Fdeno.json", 404],
  ["..%2f..%2fdeno.json", 404],
  ["%2e%2e/%2e%2e/deno.json", "no-leak"],
  ["%2e%2e%2f%2e%2e%2fdeno.json", 404],
  [".%2e/deno.json", "no-leak"],
  ["%252e%252e/%252e%252e/deno.json", 404],
  ["%252e%252e%252fdeno.json", 404],
  ["..%252f..%252fdeno.json", 404],
  ["..\\..\\deno.json", "no-leak"],
  ["%5C..%5C..%5Cdeno.json", 404],
  ["..%5c..%5cdeno.json", 404],
  ["....//....//deno.json", 404],
  ["..;/deno.json", 404],
  ["./../deno.json", "no-leak"],
  ["%2Fproc%2Fself%2Fenviron", 404],
  ["/proc/self/environ", 404],
  ["..%2F..%2F..%2F..%2F..%2F..%2Fproc%2Fself%2Fenviron", 404],
  [enc(SECRET), 404],
  [`/${SECRET}`, 404],
  [`..%2F..%2F..%2F..%2F..%2F..%2F..${enc(SECRET)}`, 404],
  ["..%2Fdata%2Fkv.sqlite3", 404],
  ["%2Fdev%2Fzero", 404],
  ["%2Fdev%2Fstdin", 404],
  ["..%2F..%2F..%2F..%2F..%2F..%2Fdev%2Furandom", 404],
  ["app.css%00", 404],
  ["app.css%00.txt", 404],
  ["%00", 404],
  ["", 404], // the folder itself
  ["samples", 404], // a sub-folder
  ["samples/", 404],
  ["%E0%A4%A", 400],
  ["%ZZ", 400],
  ["%", 400],
  ["%c0%ae%c0%ae/deno.json", 400],
  ["%u002e%u002e/deno.json", 400],
];

const LEAKS = [/root:x:0:0/, /"imports"/, /PATH=/, /SECRET-SESSION-ID/, /ADMIN_PASSWORD/];

/** Fails instead of hanging when a request does not answer in time. */
async function withinTwoSeconds(p: Promise<Response>, what: string): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within 2 s`)), 2000);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

appTest("hostile static paths never leave static/ or _build/", async (t) => {
  assert.ok(HOSTILE.length >= 30);
  for (const prefix of ["/static/", "/_build/"]) {
    for (const [tail, expect] of HOSTILE) {
      const path = prefix + tail;
      const res = await withinTwoSeconds(t.call("GET", path, { as: null }), path);
      const body = await res.text();
      for (const leak of LEAKS) assert.doesNotMatch(body, leak, `${path} leaked ${leak}`);
      if (expect === "no-leak") {
        assert.notEqual(res.status, 200, path);
        assert.ok(res.status < 500, `${path}: ${res.status}`);
      } else {
        assert.equal(res.status, expect, `${path}: ${res.status} ${body.slice(0, 200)}`);
      }
    }
  }
  // The real files still come, with their types and caching.
  const css = await t.call("GET", "/static/app.css", { as: null });
  assert.equal(css.status, 200);
  assert.match(css.headers.get("content-type") ?? "", /^text\/css/);
  assert.equal(css.headers.get("cache-control"), "public, max-age=300");
  await css.body?.cancel();
  const head = await t.call("HEAD", "/static/favicon.svg", { as: null });
  assert.equal(head.status, 200);
  assert.match(head.headers.get("content-type") ?? "", /^image\/svg\+xml/);
});

Deno.test({
  name: "a FIFO, a device link, a folder and a symlink out are 404; a symlink inside is served",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pf-static-" });
    try {
      await Deno.writeTextFile(`${dir}/ok.txt`, "fine");
      await Deno.mkdir(`${dir}/sub`);
      await Deno.writeTextFile(`${dir}/sub/inner.css`, "a{}");
      await Deno.symlink(SECRET, `${dir}/out.txt`);
      await Deno.symlink(SECRET_DIR, `${dir}/outdir`);
      await Deno.symlink("/dev/zero", `${dir}/zero.bin`);
      await Deno.symlink(`${dir}/sub/inner.css`, `${dir}/in.css`);
      const mk = await new Deno.Command("mkfifo", { args: [`${dir}/pipe.txt`] }).output();
      assert.ok(mk.success, "mkfifo");

      const app = new Hono<AppEnv>();
      app.get("/static/*", serveFrom(new URL(`file://${dir}/`), "/static/"));
      app.notFound((c) => c.text("not found", 404));
      app.onError((err, c) => errorResponse(c, err));

      const cases: [string, number][] = [
        ["/static/pipe.txt", 404],
        ["/static/out.txt", 404],
        ["/static/outdir/kv.sqlite3", 404],
        ["/static/zero.bin", 404],
        ["/static/sub", 404],
        ["/static/sub/", 404],
        ["/static/%2Fpipe.txt", 404],
        ["/static/%E0%A4%A", 400],
        ["/static/ok.txt", 200],
        ["/static/in.css", 200],
        ["/static/sub/inner.css", 200],
      ];
      for (const [path, status] of cases) {
        const res = await withinTwoSeconds(Promise.resolve(app.request(path)), path);
        const body = await res.text();
        assert.equal(res.status, status, `${path}: ${body}`);
        assert.doesNotMatch(body, /SECRET-SESSION-ID/, path);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

globalThis.addEventListener("unload", () => Deno.removeSync(SECRET_DIR, { recursive: true }));
