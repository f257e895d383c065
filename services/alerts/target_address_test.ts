import assert from "node:assert/strict";
import { parseAllowList, refusal, resolveAllowed, TargetRefused } from "./target_address.ts";

const none = { allow: [] };

Deno.test("loopback, link-local, metadata, unspecified and multicast are refused by default", () => {
  for (
    const [ip, why] of [
      ["127.0.0.1", "loopback"],
      ["127.8.9.10", "loopback"],
      ["::1", "loopback"],
      ["169.254.169.254", "cloud metadata"],
      ["fd00:ec2::254", "cloud metadata"],
      ["169.254.10.1", "link-local"],
      ["fe80::1", "link-local"],
      ["0.0.0.0", "unspecified"],
      ["::", "unspecified"],
      ["224.0.0.251", "multicast"],
      ["ff02::1", "multicast"],
      ["::ffff:127.0.0.1", "loopback"],
      ["192.0.2.10", "documentation"], // host-network guard: refused, never contacted
    ]
  ) {
    const r = refusal(ip, none);
    assert.ok(r?.includes(why), `${ip}: ${r}`);
    assert.ok(r?.includes("ALERT_TARGET_ALLOW"));
  }
});

Deno.test("private LAN addresses and public addresses are allowed", () => {
  for (const ip of ["10.1.2.3", "172.16.0.5", "192.168.1.20", "fd12:3456::1", "100.64.0.1"]) {
    assert.equal(refusal(ip, none), null, ip);
  }
});

Deno.test("ALERT_TARGET_ALLOW lets exactly the listed ranges through", () => {
  const policy = { allow: parseAllowList("127.0.0.1/32, ::1") };
  assert.equal(refusal("127.0.0.1", policy), null);
  assert.equal(refusal("::1", policy), null);
  assert.ok(refusal("127.0.0.2", policy));
  assert.ok(refusal("169.254.169.254", policy));
  assert.equal(parseAllowList("").length, 0);
  assert.throws(() => parseAllowList("999.1.1.1/32"));
});

Deno.test("a name is judged by every address it resolves to", async () => {
  const resolver = (addrs: string[]) => () =>
    Promise.resolve(addrs.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));
  await assert.rejects(
    resolveAllowed("rebind.example", none, resolver(["10.0.0.5", "169.254.169.254"])),
    (e) => e instanceof TargetRefused && /metadata/.test(e.message),
  );
  const ok = await resolveAllowed("lan.example", none, resolver(["10.0.0.5"]));
  assert.deepEqual(ok.map((a) => a.address), ["10.0.0.5"]);
  // The system resolver reads /etc/hosts: localhost is loopback.
  await assert.rejects(resolveAllowed("localhost", none), TargetRefused);
  await assert.rejects(resolveAllowed("[::1]", none), TargetRefused);
});
