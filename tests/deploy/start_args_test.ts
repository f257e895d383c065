// The server runs with the same flags whichever way it starts: the Docker image's CMD and the
// benches (startTaskArgs) take them from `deno task start`, which owns them.
import assert from "node:assert/strict";
import { startTaskArgs } from "@/tests/support/main_process.ts";

Deno.test("the Docker image starts main.ts with the start task's arguments", async () => {
  const dockerfile = await Deno.readTextFile(new URL("../../Dockerfile", import.meta.url));
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
  assert.ok(cmd, "the Dockerfile has an exec-form CMD");
  const args = startTaskArgs();
  assert.equal(args.at(-1), "main.ts");
  assert.ok(args.some((a) => a.startsWith("--v8-flags=")), args.join(" "));
  assert.deepEqual(JSON.parse(cmd[1]), ["deno", ...args]);
});
