// TEST-NET-1 (RFC 5737's first /24) is this machine's own network (eth0): it must never appear in
// code, samples, seed data, docs or tests — except in the few guards below that refuse it, each
// such line marked. Use 198.51.100.0/24, 203.0.113.0/24 (or 127.0.2.0/24) instead.
import assert from "node:assert/strict";

// Built from parts so this file does not itself contain the address.
const NEEDLE = ["192", "0", "2", ""].join(".");
const MARKER = "host-network guard";

/** Files allowed to name the host network, only on lines carrying MARKER. */
const GUARDS = new Set([
  "tests/lab/netns_lab.ts", // refuses to build a lab on it
  "services/sweeps/ptr.ts", // never looks its addresses up
  "services/sweeps/ptr_test.ts",
  "services/sweeps/scan_scope_test.ts", // it is outside the default scan scope
  "services/ipam/samples_test.ts", // the samples never name it
  "tests/support/test_scope.ts",
  "services/alerts/target_address.ts", // webhooks are never sent to it
  "services/alerts/target_address_test.ts",
]);

const root = new URL("../../", import.meta.url);

async function trackedFiles(): Promise<string[]> {
  const out = await new Deno.Command("git", {
    args: ["ls-files", "-z"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).split("\0").filter(Boolean);
}

Deno.test("no tracked file uses this machine's network outside the marked guards", async () => {
  const offenders: string[] = [];
  const files = await trackedFiles();
  assert.ok(files.length > 50, "git ls-files listed the repository");
  for (const file of files) {
    let text: string;
    try {
      text = await Deno.readTextFile(new URL(file, root));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.IsADirectory) continue;
      throw err;
    }
    if (!text.includes(NEEDLE)) continue;
    text.split("\n").forEach((line, i) => {
      if (!line.includes(NEEDLE)) return;
      if (GUARDS.has(file) && line.includes(MARKER)) return;
      offenders.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, [], "use 198.51.100.0/24 or 203.0.113.0/24 instead");
});

Deno.test("the guard list has no stale entries", async () => {
  for (const file of GUARDS) {
    const text = await Deno.readTextFile(new URL(file, root));
    assert.ok(text.includes(NEEDLE), `${file} no longer names the host network; drop it`);
  }
});
