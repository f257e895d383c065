import assert from "node:assert/strict";
import { nameInForceText, nameUnderOverride, overrideHint, resolveHostNames } from "./host_name.ts";

const names = (f: Partial<Parameters<typeof resolveHostNames>[0]>) =>
  resolveHostNames({
    hostname_override: null,
    hostname: null,
    hostname_source: null,
    snmp_name: null,
    ...f,
  });

Deno.test("the override wins; clearing it goes back to the PTR name", () => {
  const n = names({
    hostname_override: "mine",
    hostname: "r1.example.net",
    hostname_source: "ptr",
    snmp_name: "Router-One",
  });
  assert.equal(n.shown, "mine");
  assert.equal(n.winner, "override");
  assert.deepEqual(nameUnderOverride(n), { source: "ptr", name: "r1.example.net" });
  assert.equal(nameInForceText(n), "In force: mine, from your override.");
  assert.match(overrideHint(n), /Clear it to go back to r1\.example\.net \(reverse DNS \(PTR\)\)/);
});

Deno.test("PTR beats SNMP; typed beats SNMP; SNMP alone is used", () => {
  const ptr = names({ hostname: "r1.example.net", hostname_source: "ptr", snmp_name: "x" });
  assert.equal(ptr.winner, "ptr");
  assert.equal(nameInForceText(ptr), "In force: r1.example.net, from reverse DNS (PTR).");
  assert.match(overrideHint(ptr), /leave blank to keep it/);

  const typed = names({ hostname: "web1", snmp_name: "x" });
  assert.equal(typed.winner, "entered");
  assert.equal(typed.shown, "web1");

  const snmp = names({ hostname: "Core-1", hostname_source: "snmp" });
  assert.equal(snmp.winner, "snmp");
  assert.equal(snmp.candidates.find((c) => c.source === "entered")?.name, null);

  const polledOnly = names({ snmp_name: "Core-2" });
  assert.equal(polledOnly.shown, "Core-2");
});

Deno.test("no name anywhere: the address is shown, empty strings count as nothing", () => {
  const n = names({ hostname_override: "", hostname: "" });
  assert.equal(n.shown, null);
  assert.equal(n.winner, null);
  assert.match(nameInForceText(n), /the address is shown/);
  assert.match(overrideHint(n), /No discovered name/);
  assert.match(
    overrideHint(names({ hostname_override: "mine" })),
    /Clear it to show the address/,
  );
});
