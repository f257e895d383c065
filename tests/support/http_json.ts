// Response helpers shared by HTTP tests: read JSON with a readable failure, assert an error answer.
import assert from "node:assert/strict";

/** The body as JSON; a non-JSON body fails with the status and the start of the text. */
// deno-lint-ignore no-explicit-any
export async function json(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`expected JSON, got ${res.status}: ${text.slice(0, 300)}`);
  }
}

/** Asserts an `{error: {code, message}}` answer with this status (and code, message pattern). */
export async function expectError(
  res: Response,
  status: number,
  code?: string,
  message?: RegExp,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const body = await json(res);
  assert.equal(res.status, status, JSON.stringify(body));
  if (code) assert.equal(body.error.code, code, JSON.stringify(body));
  if (message) assert.match(body.error.message, message);
  return body;
}
