import assert from "node:assert/strict";
import { createCommandRunner, resolveProgram, runCommand } from "./command_runner.ts";

Deno.test("runCommand passes arguments verbatim, without a shell", async () => {
  const res = await runCommand("printf", ["%s|", "a b", "$HOME", "; echo pwned"]);
  assert.equal(res.code, 0);
  assert.equal(res.stdout, "a b|$HOME|; echo pwned|");
  assert.equal(res.notFound, undefined);
});

Deno.test("runCommand reports the exit code and stderr", async () => {
  const res = await runCommand("sh", ["-c", "echo oops >&2; exit 3"]);
  assert.equal(res.code, 3);
  assert.equal(res.stderr, "oops\n");
});

Deno.test("runCommand feeds stdin when given", async () => {
  const res = await runCommand("cat", [], { stdin: "127.0.0.1\n::1\n" });
  assert.equal(res.stdout, "127.0.0.1\n::1\n");
});

Deno.test("a runner with its own PATH reports notFound for hidden programs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.symlink(await mustResolve("cat"), `${dir}/cat`);
    const runner = createCommandRunner({ path: dir });
    const missing = await runner("fping", ["-v"]);
    assert.equal(missing.notFound, true);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /fping: not found/);
    const present = await runner("cat", [], { stdin: "x" });
    assert.equal(present.notFound, undefined);
    assert.equal(present.stdout, "x");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a runner kills a child that outlives timeoutMs", async () => {
  const res = await runCommand("sleep", ["30"], { timeoutMs: 50 });
  assert.equal(res.timedOut, true);
  assert.equal(res.code, 128 + 15);
});

Deno.test("a runner kills a child when its signal aborts", async () => {
  const ctl = new AbortController();
  const pending = runCommand("sleep", ["30"], { signal: ctl.signal });
  ctl.abort();
  const res = await pending;
  assert.equal(res.aborted, true);
  assert.notEqual(res.code, 0);
});

Deno.test("a runner escalates to SIGKILL when SIGTERM is ignored", async () => {
  const runner = createCommandRunner({ killGraceMs: 50 });
  const res = await runner("sh", ["-c", "trap '' TERM; while :; do sleep 0.05; done"], {
    timeoutMs: 50,
  });
  assert.equal(res.timedOut, true);
  assert.equal(res.code, 128 + 9);
});

Deno.test("a prefixed runner resolves the program itself and hands it to the prefix", async () => {
  const runner = createCommandRunner({ prefix: ["env", "PF_MARK=1"] });
  const res = await runner("sh", ["-c", 'echo "$PF_MARK $0"']);
  assert.equal(res.stdout.trim(), "1 " + (await mustResolve("sh")));
  const missing = await runner("no-such-program-pf", []);
  assert.equal(missing.notFound, true);
});

Deno.test("a prefix is found on the process PATH even when the runner's PATH hides it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.symlink(await mustResolve("cat"), `${dir}/cat`);
    const runner = createCommandRunner({ path: dir, prefix: ["env", "PF_MARK=1"] });
    const res = await runner("cat", [], { stdin: "through env" });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, "through env");
    assert.equal((await runner("fping", [])).notFound, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolveProgram skips non-executable files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/tool`, "#!/bin/sh\n", { mode: 0o644 });
    assert.equal(await resolveProgram("tool", dir), null);
    await Deno.chmod(`${dir}/tool`, 0o755);
    assert.equal(await resolveProgram("tool", dir), `${dir}/tool`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function mustResolve(cmd: string): Promise<string> {
  const found = await resolveProgram(cmd, Deno.env.get("PATH") ?? "");
  assert.ok(found, `${cmd} must be installed for this test`);
  return found;
}

Deno.test("a child sees only PATH and LANG, never this process's environment", async () => {
  Deno.env.set("PF_CHILD_ENV_PROBE", "secret");
  try {
    const res = await createCommandRunner({ env: { EXTRA: "1" } })("env", []);
    assert.equal(res.code, 0, res.stderr);
    const names = res.stdout.trim().split("\n").map((l) => l.split("=")[0]).sort();
    assert.deepEqual(names, ["EXTRA", "LANG", "PATH"]);
    assert.match(res.stdout, /^LANG=C\.UTF-8$/m);
  } finally {
    Deno.env.delete("PF_CHILD_ENV_PROBE");
  }
});

Deno.test("onStdout hears output while the child still runs", async () => {
  // The child waits for a file that only the listener creates: without streaming, it would wait
  // until its deadline and be killed.
  const dir = await Deno.makeTempDir({ prefix: "pf_runner_" });
  try {
    const pieces: string[] = [];
    const res = await runCommand("sh", [
      "-c",
      `echo first; i=0; while [ ! -e "$0/go" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; echo second`,
      dir,
    ], {
      timeoutMs: 15_000,
      onStdout: (text) => {
        pieces.push(text);
        if (text.includes("first")) Deno.writeTextFileSync(`${dir}/go`, "");
      },
    });
    assert.equal(res.code, 0);
    assert.equal(res.stdout, "first\nsecond\n");
    assert.equal(pieces.join(""), res.stdout);
    assert.ok(Deno.statSync(`${dir}/go`).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a throwing onStdout listener does not stop the output", async () => {
  const res = await runCommand("sh", ["-c", "echo a; echo b"], {
    onStdout: () => {
      throw new Error("listener bug");
    },
  });
  assert.equal(res.stdout, "a\nb\n");
});
