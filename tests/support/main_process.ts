// main.ts as a real child process, the way users start it: a clean environment (only what the
// test exports, plus what Deno itself needs) in a temp working directory without a .env file.
const ROOT = new URL("../../", import.meta.url);

export function mainCommand(
  cwd: string,
  env: Record<string, string>,
  io: { stdout?: "piped" | "null"; stderr?: "piped" | "null" } = {},
): Deno.Command {
  const home = Deno.env.get("HOME") ?? cwd;
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      new URL("deno.json", ROOT).pathname,
      new URL("main.ts", ROOT).pathname,
    ],
    cwd,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: home,
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${home}/.cache/deno`,
      DATA_DIR: `${cwd}/data`,
      PORT: "0",
      ...env,
    },
    stdin: "null",
    stdout: io.stdout ?? "piped",
    stderr: io.stderr ?? "piped",
  });
}
