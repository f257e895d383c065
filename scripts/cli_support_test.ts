import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { isUsageError, pickCommand, UsageError } from "./cli_support.ts";

function parseError(args: string[]): unknown {
  try {
    parseArgs({ args, options: { out: { type: "string" } } });
  } catch (e) {
    return e;
  }
  throw new Error(`parseArgs accepted ${JSON.stringify(args)}`);
}

Deno.test("usage errors: our own and parseArgs' refusals, nothing else", () => {
  assert.equal(isUsageError(new UsageError("missing <username>")), true);
  assert.equal(isUsageError(parseError(["--nope"])), true);
  assert.equal(isUsageError(parseError(["--out"])), true);
  assert.equal(isUsageError(new Error("database is down")), false);
  assert.equal(isUsageError(Object.assign(new Error("x"), { code: "ECONNREFUSED" })), false);
  assert.equal(isUsageError("ERR_PARSE_ARGS"), false);
});

Deno.test("pickCommand: the command and its arguments; help or none prints usage; unknown refused", () => {
  const commands = ["add", "list"] as const;
  const spec = (help: boolean) => ({ help, usage: "usage: test", commands });
  assert.deepEqual(pickCommand(["add", "alice", "x"], spec(false)), {
    command: "add",
    rest: ["alice", "x"],
  });
  const printed: unknown[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => printed.push(...a);
  try {
    assert.equal(pickCommand([], spec(false)), null);
    assert.equal(pickCommand(["add"], spec(true)), null);
  } finally {
    console.log = log;
  }
  assert.deepEqual(printed, ["usage: test", "usage: test"]);
  assert.throws(() => pickCommand(["frob"], spec(false)), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.message, 'unknown command "frob"');
    return true;
  });
});
