import assert from "node:assert/strict";
import {
  connectNats,
  type NatsSettings,
  NatsTlsError,
  serverAddresses,
} from "@/services/store/mod.ts";
import { makeTestPki, startTlsNats, type TestPki } from "@/tests/support/nats_tls_server.ts";
import { rangePort, startNats } from "@/tests/support/nats_server.ts";

// A refused handshake leaves the client's own attempt to run into its timeout in the background.
const lingering = { sanitizeOps: false, sanitizeResources: false };
const AUTH = { user: "pf", pass: "tls-secret" };

async function withTlsNats(
  fn: (pki: TestPki, url: string, base: NatsSettings) => Promise<void>,
  serverCert?: (pki: TestPki) => { cert: string; key: string },
) {
  const dir = await Deno.makeTempDir({ prefix: "nats-tls-" });
  const pki = await makeTestPki(`${dir}/pki`);
  const nats = await startTlsNats(dir, pki, { ...AUTH, serverCert: serverCert?.(pki) });
  try {
    await fn(pki, nats.tlsUrl, {
      url: nats.tlsUrl,
      user: AUTH.user,
      password: AUTH.pass,
      tlsCa: pki.ca,
      tlsCert: pki.client.cert,
      tlsKey: pki.client.key,
      waitForServer: true,
    });
  } finally {
    nats.kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function refusal(s: NatsSettings): Promise<{ message: string; ms: number }> {
  const t0 = Date.now();
  const e = await connectNats(s).then(
    async (nc) => {
      await nc.close();
      return null;
    },
    (e: unknown) => e,
  );
  assert.ok(e instanceof NatsTlsError, `expected a NatsTlsError, got ${e}`);
  return { message: e.message, ms: Date.now() - t0 };
}

Deno.test("serverAddresses reads host, port and scheme of each NATS_URL entry", () => {
  assert.deepEqual(
    serverAddresses(["tls://127.0.0.1:4333", "nats://u:p@nats.test", "tls://[::1]:4222"]),
    [
      { url: "tls://127.0.0.1:4333", host: "127.0.0.1", port: 4333, tlsScheme: true },
      { url: "nats://u:p@nats.test", host: "nats.test", port: 4222, tlsScheme: false },
      { url: "tls://[::1]:4222", host: "::1", port: 4222, tlsScheme: true },
    ],
  );
});

Deno.test("NATS over TLS by IP address: the server's IP certificate is checked, with a client certificate and a password", async () => {
  await withTlsNats(async (_pki, url, base) => {
    for (const u of [url, url.replace("tls://", "nats://")]) {
      const nc = await connectNats({ ...base, url: u });
      try {
        const sub = nc.subscribe("tls.check", { max: 1 });
        nc.publish("tls.check", "over tls");
        for await (const m of sub) assert.equal(m.string(), "over tls");
        assert.equal(nc.info?.tls_required, true);
      } finally {
        await nc.close();
      }
    }
  });
});

Deno.test({
  name: "a refused TLS handshake ends the wait with the setting to fix, quickly, every time",
  ...lingering,
  async fn() {
    await withTlsNats(async (pki, _url, base) => {
      for (let i = 0; i < 3; i++) {
        const noCert = await refusal({ ...base, tlsCert: undefined, tlsKey: undefined });
        assert.match(
          noCert.message,
          /requires a client certificate: set NATS_TLS_CERT and NATS_TLS_KEY/,
        );
        assert.ok(noCert.ms < 10_000, `took ${noCert.ms} ms`);
        const wrongCa = await refusal({ ...base, tlsCa: pki.otherCa });
        assert.match(wrongCa.message, /not signed by the CA in NATS_TLS_CA \(.*other-ca\.pem\)/);
        const stranger = await refusal({
          ...base,
          tlsCert: pki.strangerClient.cert,
          tlsKey: pki.strangerClient.key,
        });
        assert.match(
          stranger.message,
          /refused the client certificate in NATS_TLS_CERT \(.*stranger\.pem\)/,
        );
      }
      const noCa = await refusal({ ...base, tlsCa: undefined });
      assert.match(noCa.message, /not signed by a CA this system trusts.*set NATS_TLS_CA/);
      const mismatch = await refusal({ ...base, tlsKey: pki.server.key });
      assert.match(
        mismatch.message,
        /NATS_TLS_KEY \(.*server\.key\) is not the private key of the certificate in NATS_TLS_CERT/,
      );
      const notPem = await refusal({ ...base, tlsCa: `${pki.dir}/server.ext` });
      assert.match(notPem.message, /NATS_TLS_CA \(.*server\.ext\) holds no PEM certificate/);
    });
  },
});

Deno.test("a server certificate without the address of NATS_URL is refused, naming what it is for", async () => {
  await withTlsNats(async (_pki, _url, base) => {
    const r = await refusal(base);
    assert.match(r.message, /is not for 127\.0\.0\.1 \(it names DNS:nats\.test\)/);
  }, (pki) => pki.dnsOnlyServer);
});

Deno.test("tls:// to a server without TLS is refused, naming NATS_URL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nats-plain-" });
  const nats = startNats(dir, { port: rangePort(18700, 18799) });
  try {
    await nats.ready();
    const r = await refusal({ url: nats.url.replace("nats://", "tls://"), waitForServer: true });
    assert.match(r.message, /check NATS_URL \(tls:\/\/ needs a server with tls\)/);
  } finally {
    nats.kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("waitForServer waits for a TLS server that starts later", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nats-tls-late-" });
  const pki = await makeTestPki(`${dir}/pki`);
  // Learn a free port of the range from a first start, stop it, and connect before it is back.
  const probe = await startTlsNats(dir, pki, AUTH);
  probe.kill();
  await new Promise((r) => setTimeout(r, 300));
  const connecting = connectNats({
    url: probe.tlsUrl,
    user: AUTH.user,
    password: AUTH.pass,
    tlsCa: pki.ca,
    tlsCert: pki.client.cert,
    tlsKey: pki.client.key,
    waitForServer: true,
  });
  await new Promise((r) => setTimeout(r, 1500));
  const again = startNats(dir, {
    port: probe.port,
    configFile: `${dir}/nats-${probe.port}.conf`,
  });
  try {
    const nc = await connecting;
    assert.equal(nc.info?.tls_required, true);
    await nc.close();
  } finally {
    again.kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
