// The same guarantees over a real socket: raw request lines (no client-side path clean-up) and a
// real peer address for the proxy rules.
import assert from "node:assert/strict";
import { startTestServer } from "@/tests/support/test_server.ts";
import { ENGINES } from "@/tests/support/test_db.ts";
import { TEST_ADMIN_PASSWORD } from "@/tests/support/test_app.ts";

/** Sends `head` as written and reads the whole answer (Connection: close), within 2 s. */
async function raw(
  url: string,
  head: string,
  body = "",
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const timer = setTimeout(() => conn.close(), 2000);
  try {
    const bytes = new TextEncoder().encode(
      `${head}\r\nHost: ${hostname}\r\nConnection: close\r\n` +
        (body ? `Content-Length: ${new TextEncoder().encode(body).length}\r\n` : "") +
        `\r\n${body}`,
    );
    await conn.write(bytes);
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
    assert.ok(status > 0, `no answer within 2 s to ${head}`);
    return { status, text };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer or the server */ }
  }
}

for (const engine of ENGINES) {
  Deno.test({
    name: `real server: hostile static request lines and proxy headers [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const srv = await startTestServer(engine, {
        ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
        TRUST_PROXY: "1",
      });
      try {
        const lines: [string, number][] = [
          ["GET /static/%2Fetc%2Fpasswd HTTP/1.1", 404],
          ["GET /static//etc/passwd HTTP/1.1", 404],
          ["GET /_build/%2Fproc%2Fself%2Fenviron HTTP/1.1", 404],
          ["GET /static/%252e%252e/%252e%252e/deno.json HTTP/1.1", 404],
          ["GET /static/..%5C..%5Cdeno.json HTTP/1.1", 404],
          ["GET /static/%E0%A4%A HTTP/1.1", 400],
          ["GET /_build/%E0%A4%A HTTP/1.1", 400],
          ["GET /static/app.css%00 HTTP/1.1", 404],
          ["GET /static/app.css HTTP/1.1", 200],
        ];
        for (const [head, status] of lines) {
          const res = await raw(srv.url, head);
          assert.equal(res.status, status, head);
          assert.doesNotMatch(res.text, /root:x:0:0|PATH=|"imports"/, head);
        }
        // Behind the (loopback) proxy: the right-most untrusted entry is the client, and the
        // proxy's https makes the cookie Secure.
        const login = await raw(
          srv.url,
          "POST /api/v1/auth/login HTTP/1.1\r\nContent-Type: application/json\r\n" +
            "X-Forwarded-For: 127.0.0.1, 198.18.0.7\r\nX-Forwarded-Proto: https",
          JSON.stringify({ username: "admin", password: TEST_ADMIN_PASSWORD }),
        );
        assert.equal(login.status, 200, login.text);
        assert.match(login.text, /set-cookie: __Host-pf_session=[^\r\n]*Secure/i);
        const rows = await srv.deps.db.query<{ client_ip: string }>(
          "select client_ip from audit_log where action = 'login' order by id desc limit 1",
        );
        assert.equal(rows[0]?.client_ip, "198.18.0.7");
      } finally {
        await srv.stop();
      }
    },
  });
}
