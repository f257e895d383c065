// A TLS refusal met on reconnect, with real processes: a scanner connected over mutual TLS loses
// its nats-server, which comes back on the same port with a certificate from a CA the scanner does
// not trust. The client would retry that silently for good; the scanner logs it once as an error
// naming NATS_TLS_CA (not again at its next look, 30 s later), keeps running, and reconnects when
// the server shows a trusted one again.
import assert from "node:assert/strict";
import { makeTestPki, startTlsNats, type TlsNats } from "../support/nats_tls_server.ts";
import { QUIET_ROLE_ENV, type RoleProcess, startRole } from "../support/role_process.ts";

const AUTH = { user: "pf", pass: "tls-secret" };
const RANGE: [number, number] = [19300, 19399];

Deno.test({
  name: "a reconnect refused by TLS verification is logged once as an error naming " +
    "NATS_TLS_CA, and the scanner reconnects once the server's certificate is trusted again",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "natsroles-tlsre-" });
    let nats: TlsNats | undefined;
    let scanner: RoleProcess | undefined;
    try {
      const pki = await makeTestPki(`${dir}/pki`);
      nats = await startTlsNats(dir, pki, { ...AUTH, range: RANGE });
      const port = nats.port;
      Deno.mkdirSync(`${dir}/scanner`);
      scanner = startRole("scanner", `${dir}/scanner`, {
        ...QUIET_ROLE_ENV,
        ROLE: "scanner",
        SITE: "local",
        NATS_URL: nats.tlsUrl,
        NATS_USER: AUTH.user,
        NATS_PASSWORD: AUTH.pass,
        NATS_TLS_CA: pki.ca,
        NATS_TLS_CERT: pki.client.cert,
        NATS_TLS_KEY: pki.client.key,
        LOG_LEVEL: "debug", // shows each look for a refusal
      });
      await scanner.waitFor((l) => l.msg === "scanner waiting for sweep jobs");

      // The same server back with a certificate from the CA the scanner does not trust.
      nats.kill();
      await scanner.waitFor((l) => String(l.msg).startsWith("NATS link down"));
      nats = await startTlsNats(dir, pki, {
        ...AUTH,
        port,
        range: RANGE,
        serverCert: pki.strangerServer,
      });
      const isRefusal = (l: Record<string, unknown>) =>
        l.level === "error" && String(l.msg).startsWith("NATS reconnect refused");
      const refusal = await scanner.waitFor(isRefusal);
      assert.match(
        String(refusal.msg),
        /not signed by the CA in NATS_TLS_CA \(.*\/ca\.pem\).*set NATS_TLS_CA/,
      );

      // A second look (30 s later) finds the same refusal: it is not reported again.
      const looks = () =>
        scanner!.lines.filter((l) =>
          l.msg === "NATS reconnect: looked for a TLS refusal" && l.refused === true
        ).length;
      await scanner.waitFor(() => looks() >= 2, 90_000);
      assert.equal(scanner.lines.filter(isRefusal).length, 1);

      // Trusted again: the link returns, and the refusal was reported once in all those retries.
      nats.kill();
      nats = await startTlsNats(dir, pki, { ...AUTH, port, range: RANGE });
      await scanner.waitFor((l) => l.msg === "NATS TLS handshake accepted again");
      await scanner.waitFor((l) => String(l.msg).startsWith("NATS link back"));
      assert.equal(scanner.lines.filter(isRefusal).length, 1);
      assert.equal(
        scanner.lines.some((l) => /Uncaught|ECONNRESET/.test(String(l.msg))),
        false,
      );
    } finally {
      await scanner?.kill("SIGKILL");
      nats?.kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
