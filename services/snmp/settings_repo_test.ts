import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { rejectsWithAppError } from "@/tests/support/app_error_assert.ts";
import { updateHost } from "@/services/ipam/mod.ts";
import { createHost, createSubnet } from "./test_rows.ts";

const assertAppError = async (p: Promise<unknown>, status: number, message: RegExp) => {
  const code = status === 404 ? "not_found" : "validation_failed";
  const e = await rejectsWithAppError(p, status, code);
  assert.match(e.message, message);
};
import {
  deleteSettings,
  effectiveSettings,
  getSettings,
  putSettings,
  settingsView,
} from "./settings_repo.ts";

const V2 = { enabled: true, version: "v2c" as const, port: 161, community: "s3cret-comm" };
const V3 = {
  enabled: true,
  version: "v3" as const,
  port: 1161,
  v3_user: "monitor",
  auth_protocol: "sha",
  auth_key: "authpass123",
};

dbTest("snmp settings: secrets are kept on edit and never in the view", async (db) => {
  const subnet = await createSubnet(db, { cidr: "198.51.100.0/24" });
  const host = await createHost(db, { ip: "198.51.100.7" });
  const scope = { kind: "host" as const, id: host.id };

  const first = await putSettings(db, scope, V2);
  const view = settingsView(first);
  assert.equal(view.has_community, true);
  assert.equal(view.security_level, "community");
  assert.ok(!JSON.stringify(view).includes("s3cret-comm"), "the view never holds the secret");

  // Changing the port without re-typing the community keeps it.
  const edited = await putSettings(db, scope, { ...V2, port: 1161, community: undefined });
  assert.equal(edited.community, "s3cret-comm");
  assert.equal(edited.port, 1161);

  // v3 authNoPriv, then authPriv with AES; DES is refused with a clear message.
  const v3 = await putSettings(db, scope, V3);
  assert.equal(v3.community, null, "switching to v3 drops the community");
  assert.equal(settingsView(v3).security_level, "authNoPriv");
  const priv = await putSettings(db, scope, {
    ...V3,
    auth_key: undefined,
    priv_protocol: "aes",
    priv_key: "privpass123",
  });
  assert.equal(priv.auth_key, "authpass123");
  assert.equal(settingsView(priv).security_level, "authPriv");
  await assertAppError(
    putSettings(db, scope, { ...V3, priv_protocol: "des", priv_key: "privpass123" }),
    422,
    /priv_protocol: DES privacy is not available/,
  );
  await assertAppError(putSettings(db, scope, { ...V2, community: null }), 422, /community/);
  await assertAppError(
    putSettings(db, scope, { ...V3, auth_key: "short" }),
    422,
    /auth_key: at least 8/,
  );
  await assertAppError(
    putSettings(db, scope, {
      ...V3,
      auth_protocol: null,
      priv_protocol: "aes",
      priv_key: "x".repeat(9),
    }),
    422,
    /privacy needs authentication/,
  );
  await assertAppError(putSettings(db, { kind: "host", id: 999999 }, V2), 404, /host 999999/);

  // Effective settings: the host row wins; without it, the most specific subnet row.
  const parent = await createSubnet(db, { cidr: "198.51.0.0/16" });
  await putSettings(db, { kind: "subnet", id: parent.id }, { ...V2, community: "parent" });
  let [eff] = await effectiveSettings(db, [host.id]);
  assert.equal(eff.from, "host");
  assert.equal(await deleteSettings(db, scope), true);
  [eff] = await effectiveSettings(db, [host.id]);
  assert.deepEqual([eff.from, eff.settings?.community], ["subnet", "parent"]);
  await putSettings(db, { kind: "subnet", id: subnet.id }, { ...V2, community: "child" });
  [eff] = await effectiveSettings(db, [host.id]);
  assert.deepEqual([eff.from, eff.settings?.community], ["subnet", "child"]);
  // A host row with enabled: false opts the host out.
  await putSettings(db, scope, { ...V2, enabled: false });
  [eff] = await effectiveSettings(db, [host.id]);
  assert.deepEqual([eff.from, eff.settings?.enabled], ["host", false]);
  assert.equal(
    await getSettings(db, { kind: "subnet", id: subnet.id }).then((r) => r?.community),
    "child",
  );
  assert.deepEqual(await effectiveSettings(db, []), []);

  // Deleting the host deletes its settings.
  const other = await createHost(db, { ip: "198.51.100.8" });
  await putSettings(db, { kind: "host", id: other.id }, V2);
  await db.query(`delete from host where id = $1`, [other.id]);
  assert.equal(await getSettings(db, { kind: "host", id: other.id }), null);
});

dbTest(
  "a typed hostname clears hostname_source (the trigger), so SNMP never overwrites it",
  async (db) => {
    await createSubnet(db, { cidr: "198.51.100.0/24" });
    const host = await createHost(db, { ip: "198.51.100.9" });
    await db.query(
      `update host set hostname = 'snmp-name', hostname_source = 'snmp' where id = $1`,
      [
        host.id,
      ],
    );
    const src = async () =>
      (await db.query<{ s: string | null }>(`select hostname_source as s from host where id = $1`, [
        host.id,
      ]))[0].s;
    assert.equal(await src(), "snmp");
    await updateHost(db, host.id, { description: "no name change" });
    assert.equal(await src(), "snmp", "other edits keep the source");
    await updateHost(db, host.id, { hostname: "typed.example.net" });
    assert.equal(await src(), null, "a typed name is a person's");
  },
);
