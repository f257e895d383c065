// SNMP over HTTP: settings with write-only secrets, clear 4xx for bad input, and polls against a
// real snmpd on loopback (v2c, v3 auth, v3 AES privacy, wrong credentials), names and precedence.
import assert from "node:assert/strict";
import { jsonBody } from "@/tests/support/json_body.ts";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { createUser } from "@/services/auth/mod.ts";
import { freeUdpPort, startSnmpd } from "@/tests/support/snmpd.ts";

const ENV = { SNMP_TIMEOUT_MS: "400", SNMP_RETRIES: "0" };
const SECRETS = ["loopback-community", "authpass-123", "privpass-456"];

const json = jsonBody;

async function setup(t: TestApp) {
  const [{ id: subnetId }] = await t.db.query<{ id: number }>(
    `insert into subnet (cidr, name) values ('127.0.0.0/29', 'loopback') returning id`,
  );
  const res = await t.call("POST", "/api/v1/hosts", { json: { ip: "127.0.0.1" } });
  assert.equal(res.status, 201);
  return { subnetId, hostId: (await json(res)).id as number };
}

const noSecrets = (body: unknown) => {
  const text = JSON.stringify(body);
  for (const s of SECRETS) assert.ok(!text.includes(s), `response leaks a secret: ${text}`);
};

appTest("SNMP settings: write-only secrets, inheritance, and 4xx naming the field", async (t) => {
  const { subnetId, hostId } = await setup(t);
  const base = `/api/v1/hosts/${hostId}/snmp`;

  const empty = await json(await t.call("GET", base));
  assert.equal(empty.settings, null);
  assert.equal(empty.effective, null);
  assert.equal(empty.last_poll, null);
  assert.equal(empty.names.winner, null);

  // Subnet default, then the host inherits it.
  const sub = await t.call("PUT", `/api/v1/subnets/${subnetId}/snmp`, {
    json: { version: "v2c", community: SECRETS[0] },
  });
  assert.equal(sub.status, 200);
  const subBody = await json(sub);
  noSecrets(subBody);
  assert.equal(subBody.has_community, true);
  assert.equal(subBody.port, 161);
  const inherited = await json(await t.call("GET", base));
  assert.equal(inherited.settings, null);
  assert.equal(inherited.effective.scope, "subnet");
  noSecrets(await json(await t.call("GET", `/api/v1/subnets/${subnetId}/snmp`)));

  // The host's own v3 settings: secrets accepted, only flags returned, kept on a later edit.
  const put = await t.call("PUT", base, {
    json: {
      version: "v3",
      port: 1161,
      v3_user: "monitor",
      auth_protocol: "sha",
      auth_key: SECRETS[1],
      priv_protocol: "aes",
      priv_key: SECRETS[2],
    },
  });
  assert.equal(put.status, 200);
  const saved = await json(put);
  noSecrets(saved);
  assert.deepEqual(
    [saved.security_level, saved.has_auth_key, saved.has_priv_key, saved.has_community],
    ["authPriv", true, true, false],
  );
  const edited = await json(
    await t.call("PUT", base, {
      json: {
        version: "v3",
        port: 1162,
        v3_user: "monitor",
        auth_protocol: "sha",
        priv_protocol: "aes",
      },
    }),
  );
  assert.equal(edited.has_auth_key, true, "omitted secrets are kept");
  const view = await json(await t.call("GET", base));
  noSecrets(view);
  assert.equal(view.effective.scope, "host");
  noSecrets(await (await t.call("GET", "/openapi.json")).text());

  // Bad input: 422 naming the field, 404 for unknown targets, 403 for viewers.
  const bad = async (body: unknown, field: RegExp, path = base) => {
    const res = await t.call("PUT", path, { json: body });
    const b = await json(res);
    assert.equal(res.status, 422, JSON.stringify(b));
    assert.match(b.error.message, field);
  };
  await bad({
    version: "v3",
    v3_user: "m",
    auth_protocol: "sha",
    auth_key: "authpass-1",
    priv_protocol: "des",
    priv_key: "privpass-1",
  }, /priv_protocol: DES privacy is not available/);
  await bad({ version: "v2", community: "x" }, /version/);
  await bad({ version: "v2c", community: "x", port: 70000 }, /port/);
  await bad({ version: "v2c", community: "x".repeat(300) }, /community/);
  await bad({ version: "v3", auth_protocol: "sha", auth_key: "short" }, /auth_key: at least 8/);
  await bad(
    { version: "v3", v3_user: "m", auth_protocol: "sha3", auth_key: "authpass-1" },
    /auth_protocol/,
  );
  await t.call("DELETE", `/api/v1/subnets/${subnetId}/snmp`);
  await bad(
    { version: "v2c" },
    /community: a community string is required/,
    `/api/v1/subnets/${subnetId}/snmp`,
  );
  assert.equal(
    (await t.call("PUT", "/api/v1/hosts/999999/snmp", { json: { version: "v2c", community: "c" } }))
      .status,
    404,
  );
  assert.equal((await t.call("GET", "/api/v1/subnets/999999/snmp")).status, 404);
  assert.equal((await t.call("POST", "/api/v1/hosts/999999/snmp/poll")).status, 404);

  await createUser(t.db, { username: "viewer1", password: "viewer-password-1", role: "viewer" });
  const viewer = await t.login("viewer1", "viewer-password-1");
  assert.equal((await t.call("GET", base, { as: viewer })).status, 200);
  assert.equal(
    (await t.call("PUT", base, { json: { version: "v2c", community: "c" }, as: viewer })).status,
    403,
  );
  assert.equal((await t.call("POST", `${base}/poll`, { as: viewer })).status, 403);

  // Delete: the host falls back to nothing; polling says so.
  assert.equal((await t.call("DELETE", base)).status, 204);
  const poll = await t.call("POST", `${base}/poll`);
  assert.equal(poll.status, 422);
  assert.equal((await json(poll)).error.code, "snmp_not_configured");
}, ENV);

appTest(
  "SNMP poll against a real snmpd: v2c names the host, bad credentials say why",
  async (t) => {
    const { hostId } = await setup(t);
    const port = freeUdpPort();
    await using _agent = await startSnmpd({
      host: "127.0.0.1",
      port,
      sysName: "loop-agent.example",
      sysDescr: "Linux test \x1b[31magent",
      community: SECRETS[0],
      users: [
        { name: "authuser", auth: "SHA", authKey: SECRETS[1] },
        { name: "privuser", auth: "SHA", authKey: SECRETS[1], priv: "AES", privKey: SECRETS[2] },
      ],
    });
    const base = `/api/v1/hosts/${hostId}/snmp`;
    const poll = async () => {
      const res = await t.call("POST", `${base}/poll`);
      const body = await json(res);
      assert.equal(res.status, 200, JSON.stringify(body));
      noSecrets(body);
      return body;
    };
    const put = async (body: Record<string, unknown>) => {
      const res = await t.call("PUT", base, { json: { port, ...body } });
      assert.equal(res.status, 200, await res.clone().text());
    };

    await put({ version: "v2c", community: SECRETS[0] });
    const ok = await poll();
    assert.equal(ok.poll.status, "ok");
    assert.equal(ok.poll.sys_name, "loop-agent.example");
    assert.ok(!ok.poll.sys_descr.includes("\x1b"), "control characters stripped");
    assert.deepEqual(ok.renamed, { from: null, to: "loop-agent.example" });
    assert.deepEqual([ok.names.shown, ok.names.winner], ["loop-agent.example", "snmp"]);
    const host = await json(await t.call("GET", `/api/v1/hosts/${hostId}`));
    assert.equal(host.hostname, "loop-agent.example");

    // An override beats it; SNMP still shows as a candidate.
    await t.call("PATCH", `/api/v1/hosts/${hostId}`, { json: { hostname_override: "my-box" } });
    const over = await json(await t.call("GET", base));
    assert.deepEqual([over.names.shown, over.names.winner], ["my-box", "override"]);
    assert.equal(
      over.names.candidates.find((c: { source: string }) => c.source === "snmp").name,
      "loop-agent.example",
    );

    // Wrong community: snmpd drops it silently, so a timeout that says so; no crash, name kept.
    await put({ version: "v2c", community: "wrong-community" });
    const wrong = await poll();
    assert.equal(wrong.poll.status, "timeout");
    assert.match(wrong.poll.error, /wrong community/);
    assert.equal(wrong.poll.sys_name, "loop-agent.example");

    // v3 authNoPriv works; a wrong key is auth_failed; an unknown user too.
    await put({ version: "v3", v3_user: "authuser", auth_protocol: "sha", auth_key: SECRETS[1] });
    assert.equal((await poll()).poll.status, "ok");
    await put({
      version: "v3",
      v3_user: "authuser",
      auth_protocol: "sha",
      auth_key: "wrong-key-123",
    });
    const badKey = await poll();
    assert.equal(badKey.poll.status, "auth_failed");
    assert.match(badKey.poll.error, /Wrong Digest/);
    await put({ version: "v3", v3_user: "nobody", auth_protocol: "sha", auth_key: SECRETS[1] });
    assert.match((await poll()).poll.error, /Unknown User Name/);

    // v3 with AES privacy works too (AES-CFB built on Deno's AES block cipher).
    await put({
      version: "v3",
      v3_user: "privuser",
      auth_protocol: "sha",
      auth_key: SECRETS[1],
      priv_protocol: "aes",
      priv_key: SECRETS[2],
    });
    const priv = await poll();
    assert.equal(priv.poll.status, "ok", priv.poll.error);
    assert.equal(priv.poll.sys_name, "loop-agent.example");

    // Outside the scan scope nothing is sent: a clear 422, and sweeps skip the host.
    const narrowed = await t.call("PUT", "/api/v1/settings/scan-scope", {
      json: { cidrs: ["10.0.0.0/8"] },
    });
    assert.equal(narrowed.status, 200, await narrowed.clone().text());
    const outside = await t.call("POST", `${base}/poll`);
    assert.equal(outside.status, 422);
    assert.equal((await json(outside)).error.code, "out_of_scope");
    await t.call("PUT", "/api/v1/settings/scan-scope", { json: { cidrs: null } });

    // The host page shows every source and the winner, escaped.
    const page = await (await t.call("GET", `/hosts/${hostId}`)).text();
    assert.match(page, /data-testid="name-sources"/);
    assert.match(page, /loop-agent\.example/);
    assert.ok(!page.includes("\x1b"));
  },
  ENV,
);

appTest("SNMP over IPv6: a v2c read of an agent on ::1", async (t) => {
  await t.db.query(`insert into subnet (cidr, name) values ('::1/128', 'loopback6')`);
  const created = await t.call("POST", "/api/v1/hosts", { json: { ip: "::1" } });
  assert.equal(created.status, 201);
  const { id } = await json(created);
  const port = freeUdpPort("::1");
  await using _agent = await startSnmpd({
    host: "::1",
    port,
    sysName: "six.example",
    community: SECRETS[0],
  });
  await t.call("PUT", `/api/v1/hosts/${id}/snmp`, {
    json: { version: "v2c", port, community: SECRETS[0] },
  });
  const res = await json(await t.call("POST", `/api/v1/hosts/${id}/snmp/poll`));
  assert.equal(res.poll.status, "ok", res.poll.error);
  assert.equal(res.names.shown, "six.example");
}, ENV);

appTest("SNMP_ENABLED=0: a poll is refused and nothing is sent", async (t) => {
  const { hostId } = await setup(t);
  await t.call("PUT", `/api/v1/hosts/${hostId}/snmp`, { json: { version: "v2c", community: "c" } });
  const res = await t.call("POST", `/api/v1/hosts/${hostId}/snmp/poll`);
  assert.equal(res.status, 422);
  assert.equal((await json(res)).error.code, "snmp_off");
}, { ...ENV, SNMP_ENABLED: "0" });
