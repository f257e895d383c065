// SNMP names against Debian's snmpd inside network-namespace lab hosts (needs root), on both
// engines: a sweep through the API finds the hosts and its SNMP hook names one from sysName (v2c,
// the subnet's default); a typed override beats it; v3 authNoPriv (SHA) works on demand; wrong
// credentials give a clear status and keep the name; hosts without an agent just time out.
import assert from "node:assert/strict";
import { jsonBody } from "@/tests/support/json_body.ts";
import { appTest, type TestApp } from "@/tests/support/test_app.ts";
import { startSnmpd } from "@/tests/support/snmpd.ts";
import { createLab, labPreflight } from "./netns_lab.ts";

const ENV = {
  PTR_LOOKUP_ENABLED: "0",
  PING_TIMEOUT_MS: "300",
  PING_RETRIES: "1",
  SNMP_TIMEOUT_MS: "500",
  SNMP_RETRIES: "0",
};
const COMMUNITY = "lab-community-1";
const AUTH_KEY = "lab-auth-key-1";

const json = jsonBody;

async function ok(res: Promise<Response>, status = 200) {
  const r = await res;
  const body = r.status === 204 ? null : await json(r);
  assert.equal(r.status, status, JSON.stringify(body));
  return body;
}

const hostByIp = (t: TestApp, ip: string) => ok(t.call("GET", `/api/v1/hosts/by-ip/${ip}`));

appTest(
  "lab: sysName from snmpd becomes the host's name; override wins; v3 and bad creds",
  async (t) => {
    await labPreflight(["ip", "fping"]);
    await using lab = await createLab({
      hosts: [{ ip: "198.51.100.10" }, { ip: "198.51.100.20" }, { ip: "198.51.100.30" }],
    });
    const [h10, h20] = lab.hosts;
    await using _a10 = await startSnmpd({
      host: h10.ip,
      port: 161,
      netns: h10.netns,
      sysName: "lab-sw-10.example",
      sysDescr: "Lab switch\x07\t<b>10</b>",
      community: COMMUNITY,
    });
    await using _a20 = await startSnmpd({
      host: h20.ip,
      port: 161,
      netns: h20.netns,
      sysName: "Lab AP 20",
      users: [{ name: "pingfold", auth: "SHA", authKey: AUTH_KEY }],
    });

    // A subnet whose SNMP default is v2c with the community; then "scan now" through the API.
    const subnet = await ok(t.call("POST", "/api/v1/subnets", { json: { cidr: lab.subnet } }), 201);
    await ok(t.call("PUT", `/api/v1/subnets/${subnet.id}/snmp`, {
      json: { version: "v2c", community: COMMUNITY },
    }));
    const { task_id } = await ok(t.call("POST", `/api/v1/subnets/${subnet.id}/sweep`), 202);
    await t.deps.services.tasks.drain();
    const task = await ok(t.call("GET", `/api/v1/tasks/${task_id}`));
    assert.equal(task.status, "succeeded", task.error);
    assert.equal(task.result.hosts_up, 4, "the bridge side and three lab hosts");
    const [run] = (await ok(t.call("GET", "/api/v1/scanner/runs?limit=1"))).items;
    assert.ok(
      run.notes.some((n: string) => /SNMP read 1 of 4 hosts, 1 renamed/.test(n)),
      JSON.stringify(run.notes),
    );

    // .10 answered v2c: its sysName is its hostname, from SNMP.
    const host10 = await hostByIp(t, h10.ip);
    assert.equal(host10.hostname, "lab-sw-10.example");
    const snmp10 = await ok(t.call("GET", `/api/v1/hosts/${host10.id}/snmp`));
    assert.equal(snmp10.last_poll.status, "ok");
    assert.equal(snmp10.last_poll.settings_from, "subnet");
    assert.equal(snmp10.last_poll.sys_descr, "Lab switch <b>10</b>", "control characters stripped");
    assert.deepEqual([snmp10.names.shown, snmp10.names.winner], ["lab-sw-10.example", "snmp"]);
    JSON.stringify(snmp10).includes(COMMUNITY) && assert.fail("the community leaked");
    const events = await ok(t.call("GET", `/api/v1/hosts/${host10.id}/events`));
    assert.ok(
      events.items.some((e: { kind: string; detail: { source?: string } }) =>
        e.kind === "hostname_changed" && e.detail.source === "snmp"
      ),
    );

    // .20 only speaks v3 and .30 has no agent: both timed out with a sentence, nothing crashed.
    const host20 = await hostByIp(t, h20.ip);
    const host30 = await hostByIp(t, lab.hosts[2].ip);
    for (const h of [host20, host30]) {
      const s = await ok(t.call("GET", `/api/v1/hosts/${h.id}/snmp`));
      assert.equal(s.last_poll.status, "timeout");
      assert.match(s.last_poll.error, /no SNMP answer from 198\.51\.100\.\d+:161 within 500 ms/);
      assert.equal(h.hostname, null);
    }

    // The page escapes what the device sent, and shows every source with the winner.
    const page = await (await t.call("GET", `/hosts/${host10.id}`)).text();
    assert.ok(page.includes("Lab switch &lt;b>10&lt;/b>"), "sysDescr escaped as text");
    assert.ok(!page.includes("<b>10</b>"));
    assert.match(page, /data-source="snmp"[^]*?lab-sw-10\.example[^]*?name-winner/);

    // An override typed by a person beats the SNMP name, in the API and on the page.
    await ok(t.call("PATCH", `/api/v1/hosts/${host10.id}`, {
      json: { hostname_override: "core-switch" },
    }));
    const over = await ok(t.call("GET", `/api/v1/hosts/${host10.id}/snmp`));
    assert.deepEqual([over.names.shown, over.names.winner], ["core-switch", "override"]);
    const overPage = await (await t.call("GET", `/hosts/${host10.id}`)).text();
    assert.match(overPage, /<title>core-switch \(198\.51\.100\.10\)/);

    // v3 authNoPriv (SHA) for .20 on demand: its sysName, made DNS-safe, names it.
    await ok(t.call("PUT", `/api/v1/hosts/${host20.id}/snmp`, {
      json: { version: "v3", v3_user: "pingfold", auth_protocol: "sha", auth_key: AUTH_KEY },
    }));
    const v3 = await ok(t.call("POST", `/api/v1/hosts/${host20.id}/snmp/poll`));
    assert.equal(v3.poll.status, "ok", v3.poll.error);
    assert.equal(v3.poll.sys_name, "Lab AP 20");
    assert.deepEqual(v3.renamed, { from: null, to: "Lab-AP-20" });
    assert.equal((await hostByIp(t, h20.ip)).hostname, "Lab-AP-20");

    // Wrong v3 key: auth_failed with the agent's reason; the name stays.
    await ok(t.call("PUT", `/api/v1/hosts/${host20.id}/snmp`, {
      json: { version: "v3", v3_user: "pingfold", auth_protocol: "sha", auth_key: "not-the-key" },
    }));
    const bad = await ok(t.call("POST", `/api/v1/hosts/${host20.id}/snmp/poll`));
    assert.equal(bad.poll.status, "auth_failed");
    assert.match(bad.poll.error, /authentication failed at 198\.51\.100\.20:161: Wrong Digest/);
    assert.equal((await hostByIp(t, h20.ip)).hostname, "Lab-AP-20");
    // Wrong community for .10: a timeout that names the likely cause.
    await ok(t.call("PUT", `/api/v1/hosts/${host10.id}/snmp`, {
      json: { version: "v2c", community: "not-the-community" },
    }));
    const badCommunity = await ok(t.call("POST", `/api/v1/hosts/${host10.id}/snmp/poll`));
    assert.equal(badCommunity.poll.status, "timeout");
    assert.match(badCommunity.poll.error, /wrong community/);

    // A typed DNS name is a person's: SNMP never overwrites it.
    await ok(t.call("PATCH", `/api/v1/hosts/${host20.id}`, { json: { hostname: "ap20.lan" } }));
    await ok(t.call("PUT", `/api/v1/hosts/${host20.id}/snmp`, {
      json: { version: "v3", v3_user: "pingfold", auth_protocol: "sha", auth_key: AUTH_KEY },
    }));
    const again = await ok(t.call("POST", `/api/v1/hosts/${host20.id}/snmp/poll`));
    assert.equal(again.poll.status, "ok");
    assert.equal(again.renamed, null);
    assert.deepEqual([again.names.shown, again.names.winner], ["ap20.lan", "entered"]);

    // A second sweep inside SNMP_POLL_INTERVAL_MINUTES reads nobody again.
    const second = await ok(t.call("POST", `/api/v1/subnets/${subnet.id}/sweep`), 202);
    await t.deps.services.tasks.drain();
    assert.equal((await ok(t.call("GET", `/api/v1/tasks/${second.task_id}`))).status, "succeeded");
    const [run2] = (await ok(t.call("GET", "/api/v1/scanner/runs?limit=1"))).items;
    assert.ok(!run2.notes.some((n: string) => /SNMP/.test(n)), JSON.stringify(run2.notes));
  },
  ENV,
);
