import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { sign, verify } from "./signature.ts";

Deno.test("signature is hex HMAC-SHA256 of timestamp.body, prefixed sha256=", () => {
  const body = '{"kind":"host_down"}';
  const expected = createHmac("sha256", "s3cret").update(`1700000000.${body}`).digest("hex");
  assert.equal(sign("s3cret", 1700000000, body), `sha256=${expected}`);
  assert(verify("s3cret", 1700000000, body, `sha256=${expected}`));
  assert(!verify("s3cret", 1700000001, body, `sha256=${expected}`));
  assert(!verify("other", 1700000000, body, `sha256=${expected}`));
  assert(!verify("s3cret", 1700000000, body + " ", `sha256=${expected}`));
  assert(!verify("s3cret", 1700000000, body, null));
});
