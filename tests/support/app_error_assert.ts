// Test assertion shared by store tests: a promise fails with the AppError of a given status and code.
import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";

/** Awaits `p`, asserts it rejected with AppError `status`/`code`, and returns the error. */
export async function rejectsWithAppError(
  p: Promise<unknown>,
  status: number,
  code: string,
): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.status, status, e.message);
    assert.equal(e.code, code, e.message);
    return e;
  }
  throw new Error(`expected AppError ${status} ${code}`);
}
