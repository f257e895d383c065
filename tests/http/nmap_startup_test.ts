// Start-up refusal end to end: main.ts with a refused NMAP_ARGS exits 1 and names the option.
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

Deno.test("pingfold refuses to start with NMAP_ARGS outside the allowlist", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pf-nmap-start-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        new URL("deno.json", ROOT).pathname,
        new URL("main.ts", ROOT).pathname,
      ],
      // A clean environment: no .env in the temp cwd, a throwaway data dir, any free port.
      cwd: dir,
      clearEnv: true,
      env: {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        HOME: Deno.env.get("HOME") ?? dir,
        DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME") ?? dir}/.cache/deno`,
        DATA_DIR: `${dir}/data`,
        PORT: "0",
        LOG_LEVEL: "error",
        NMAP_ARGS: "-sT -p 80 --script=http-title",
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
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
