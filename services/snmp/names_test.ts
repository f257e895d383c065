import assert from "node:assert/strict";
import { NAME_PRECEDENCE, resolveHostNames } from "./names.ts";

const facts = (f: Partial<Parameters<typeof resolveHostNames>[0]>) =>
  resolveHostNames({
    hostname_override: null,
    hostname: null,
    hostname_source: null,
    snmp_sys_name: null,
    ...f,
  });

Deno.test("precedence: override > reverse DNS > typed/imported > SNMP sysName", () => {
  assert.deepEqual(NAME_PRECEDENCE, ["override", "ptr", "entered", "snmp"]);
  const all = facts({
    hostname_override: "mine",
    hostname: "r1.example.net",
    hostname_source: "ptr",
    snmp_sys_name: "Router One",
  });
  assert.equal(all.shown, "mine");
  assert.equal(all.winner, "override");
  assert.deepEqual(all.candidates, [
    { source: "override", name: "mine" },
    { source: "ptr", name: "r1.example.net" },
    { source: "entered", name: null },
    { source: "snmp", name: "Router-One" },
  ]);

  const ptr = facts({ hostname: "r1.example.net", hostname_source: "ptr", snmp_sys_name: "x" });
  assert.deepEqual([ptr.shown, ptr.winner], ["r1.example.net", "ptr"]);

  const typed = facts({ hostname: "typed.lan", snmp_sys_name: "x" });
  assert.deepEqual([typed.shown, typed.winner], ["typed.lan", "entered"]);

  // SNMP wrote the hostname: it is the SNMP candidate, not a DNS one.
  const snmp = facts({
    hostname: "Router-One",
    hostname_source: "snmp",
    snmp_sys_name: "Router One",
  });
  assert.deepEqual([snmp.shown, snmp.winner], ["Router-One", "snmp"]);
  assert.equal(snmp.candidates.find((c) => c.source === "entered")!.name, null);

  const none = facts({});
  assert.deepEqual([none.shown, none.winner], [null, null]);
});
