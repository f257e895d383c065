import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { isUsageError, UsageError } from "./cli_support.ts";

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
