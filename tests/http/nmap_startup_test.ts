// Start-up refusal end to end: main.ts with a refused NMAP_ARGS exits 1 and names the option.
import assert from "node:assert/strict";
import { mainCommand } from "@/tests/support/main_process.ts";

Deno.test("pingfold refuses to start with NMAP_ARGS outside the allowlist", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pf-nmap-start-" });
  try {
    const out = await mainCommand(dir, {
      LOG_LEVEL: "error",
      NMAP_ARGS: "-sT -p 80 --script=http-title",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    assert.match(
      stderr,
      /pingfold: invalid configuration:\n {2}NMAP_ARGS="-sT -p 80 --script=http-title": nmap option "--script=http-title" is not allowed: it runs NSE scripts/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
