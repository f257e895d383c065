import assert from "node:assert/strict";
import { execAction } from "./action_exec.ts";

const ENV = { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" };

async function script(body: string): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "pf_exec_" });
  const path = `${dir}/a.sh`;
  await Deno.writeTextFile(path, `#!/bin/sh\n${body}\n`);
  await Deno.chmod(path, 0o755);
  return { path, dir };
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

Deno.test("arguments arrive verbatim, environment is minimal, exit code kept", async () => {
  const { path, dir } = await script('printf "%s|" "$@"; echo; env | sort; echo oops >&2; exit 3');
  const r = await execAction({
    program: path,
    args: ["a b", "$(id)", "; rm -rf /", "--", "*"],
    cwd: dir,
    env: ENV,
    timeoutMs: 5000,
    maxOutputBytes: 4096,
  });
  assert.equal(r.exit_code, 3);
  assert.equal(r.outcome, "exited");
  assert.match(r.stdout, /^a b\|\$\(id\)\|; rm -rf \/\|--\|\*\|\n/);
  const envLines = r.stdout.split("\n").slice(1).filter((l) => /^[A-Z_]+=/.test(l));
  assert.deepEqual(
    envLines.map((l) => l.split("=")[0]).filter((k) => k !== "PWD" && k !== "SHLVL" && k !== "_"),
    ["LANG", "PATH"],
  );
  assert.equal(r.stderr, "oops\n");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("output over the cap is cut and marked", async () => {
  const { path, dir } = await script("head -c 100000 /dev/zero | tr '\\0' x");
  const r = await execAction({
    program: path,
    args: [],
    cwd: dir,
    env: ENV,
    timeoutMs: 5000,
    maxOutputBytes: 1000,
  });
  assert.equal(r.stdout_truncated, true);
  assert.ok(r.stdout.startsWith("x".repeat(1000) + "\n[output truncated at 1000 bytes]"));
  assert.equal(r.exit_code, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a timeout kills the whole process group, the sleeping grandchild too", async () => {
  const { path, dir } = await script(`sleep 300 &\necho $! > "${"$"}1"\nwait`);
  const pidFile = `${dir}/child.pid`;
  const r = await execAction({
    program: path,
    args: [pidFile],
    cwd: dir,
    env: ENV,
    timeoutMs: 500,
    maxOutputBytes: 1000,
    killGraceMs: 500,
  });
  assert.equal(r.outcome, "timed_out");
  const grandchild = Number((await Deno.readTextFile(pidFile)).trim());
  assert.ok(grandchild > 0);
  for (let i = 0; i < 50 && alive(grandchild); i++) await new Promise((res) => setTimeout(res, 50));
  assert.equal(alive(grandchild), false, `sleep ${grandchild} survived the timeout`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cancel stops the group; a grandchild left behind after exit is killed too", async () => {
  const { path, dir } = await script(`sleep 300 &\necho $! > "${"$"}1"\nsleep 300`);
  const pidFile = `${dir}/child.pid`;
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 300);
  const r = await execAction({
    program: path,
    args: [pidFile],
    cwd: dir,
    env: ENV,
    timeoutMs: 10_000,
    maxOutputBytes: 1000,
    signal: ac.signal,
  });
  assert.equal(r.outcome, "cancelled");
  const grandchild = Number((await Deno.readTextFile(pidFile)).trim());
  for (let i = 0; i < 50 && alive(grandchild); i++) await new Promise((res) => setTimeout(res, 50));
  assert.equal(alive(grandchild), false);

  const bg = await script(`sleep 300 > /dev/null 2>&1 &\necho $! > "${"$"}1"\nexit 0`);
  const r2 = await execAction({
    program: bg.path,
    args: [`${bg.dir}/child.pid`],
    cwd: bg.dir,
    env: ENV,
    timeoutMs: 5000,
    maxOutputBytes: 1000,
  });
  assert.equal(r2.exit_code, 0);
  const left = Number((await Deno.readTextFile(`${bg.dir}/child.pid`)).trim());
  for (let i = 0; i < 50 && alive(left); i++) await new Promise((res) => setTimeout(res, 50));
  assert.equal(alive(left), false);
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(bg.dir, { recursive: true });
});
