// The optional active ARP sweep against network-namespace lab hosts (needs root), on both engines:
// a host that drops ICMP (and, here, every other IP packet, so the TCP re-check gets no reset
// either) is invisible to fping and TCP but answers ARP; with ARP_SCAN_ENABLED a sweep through the
// API finds it, with its MAC and vendor.
import assert from "node:assert/strict";
import { appTest } from "@/tests/support/test_app.ts";
import { createDiscovery, readStates } from "@/services/sweeps/mod.ts";
import { createLab, labPreflight } from "./netns_lab.ts";

const ENV = {
  PTR_LOOKUP_ENABLED: "0",
  PING_TIMEOUT_MS: "300",
  PING_RETRIES: "1",
  SNMP_ENABLED: "0",
  ARP_SCAN_ENABLED: "1",
  ARP_SCAN_TIMEOUT_MS: "200",
  ARP_SCAN_RETRIES: "2",
};
/** A Cisco OUI, so the vendor lookup has something to find. */
const SILENT_MAC = "00:00:0c:12:34:56";

async function ip(args: string[]) {
  const out = await new Deno.Command("ip", { args, stdout: "null", stderr: "piped" }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

/** Drops every IPv4/IPv6 packet entering the namespace (ARP is not IP and still answers). */
async function dropAllIp(netns: string) {
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", netns, "nft", "-f", "-"],
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(
    "table inet pf_silent {\n  chain input {\n    type filter hook input priority 0; policy drop;\n  }\n}\n",
  ));
  await w.close();
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

async function json(res: Response) {
  const body = await res.json();
  assert.ok(res.status < 300, JSON.stringify(body));
  return body;
}

appTest("lab: ARP finds a host that drops ICMP and fills its MAC and vendor", async (t) => {
  await labPreflight(["ip", "nft", "fping"]);
  await using lab = await createLab({ hosts: [{ ip: "198.51.100.10" }, { ip: "198.51.100.20" }] });
  const silent = lab.hosts[1];
  await ip(["-n", silent.netns, "link", "set", "eth0", "address", SILENT_MAC]);
  await lab.blockIcmp(silent.ip);
  await dropAllIp(silent.netns);

  const subnet = await json(
    await t.call("POST", "/api/v1/subnets", { json: { cidr: lab.subnet } }),
  );
  const sweep = async () => {
    const { task_id } = await json(await t.call("POST", `/api/v1/subnets/${subnet.id}/sweep`));
    await t.deps.services.tasks.drain();
    return await json(await t.call("GET", `/api/v1/tasks/${task_id}`));
  };

  // Control: without the ARP pass the silent host is not found at all.
  createDiscovery(t.deps, { arp: null });
  const without = await sweep();
  assert.equal(without.result.hosts_up, 2, JSON.stringify(without.result));
  assert.equal((await t.call("GET", `/api/v1/hosts/by-ip/${silent.ip}`)).status, 404);
  createDiscovery(t.deps); // as configured: ARP_SCAN_ENABLED=1

  const task = await sweep();
  assert.equal(task.status, "succeeded", task.error);
  assert.equal(task.result.hosts_up, 3, "the bridge side, .10 and the silent .20");
  assert.deepEqual(task.result.errors, []);

  const [run] = (await json(await t.call("GET", "/api/v1/scanner/runs?limit=1"))).items;
  assert.ok(
    run.notes.some((n: string) =>
      new RegExp(`ARP on ${lab.bridge}: 2 answered, 1 to ARP only`).test(n)
    ),
    JSON.stringify(run.notes),
  );
  const host = await json(await t.call("GET", `/api/v1/hosts/by-ip/${silent.ip}`));
  assert.equal(host.mac, SILENT_MAC);
  assert.equal(host.vendor, "Cisco Systems, Inc");
  assert.equal(host.discovered, true);
  const state = (await readStates(t.kv, [silent.ip])).get(silent.ip);
  assert.deepEqual([state?.up, state?.method], [true, "arp"]);
  const loud = (await readStates(t.kv, ["198.51.100.10"])).get("198.51.100.10");
  assert.equal(loud?.method, "fping", "hosts that answer ping keep their method");

  // The host going away really makes it down: ARP is asked again and gets no answer.
  await lab.hostDown(silent.ip);
  const second = await sweep();
  assert.equal(second.result.hosts_down, 1);
  assert.equal((await readStates(t.kv, [silent.ip])).get(silent.ip)?.up, false);
}, ENV);
