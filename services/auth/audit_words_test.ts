import assert from "node:assert/strict";
import { describeChange } from "./audit_words.ts";

Deno.test("audit entries say what changed, in words", () => {
  assert.equal(
    describeChange({ method: "POST", path: "/", sent: { cidr: "198.51.100.0/24" } }),
    "created subnet 198.51.100.0/24",
  );
  assert.equal(
    describeChange({
      method: "POST",
      path: "/api/v1/subnets",
      answered: { id: 4, cidr: "203.0.113.0/24" },
    }),
    "created subnet 203.0.113.0/24",
  );
  assert.equal(
    describeChange({ method: "PATCH", path: "/api/v1/hosts/7", answered: { ip: "127.0.0.5" } }),
    "edited host 127.0.0.5",
  );
  assert.equal(
    describeChange({ method: "POST", path: "/subnets/3", sent: { _action: "delete" } }),
    "deleted subnet #3",
  );
  assert.equal(
    describeChange({ method: "POST", path: "/api/v1/subnets/3/sweep" }),
    "started a sweep of subnet #3",
  );
  assert.equal(
    describeChange({ method: "POST", path: "/settings/tokens/9/revoke" }),
    "revoked API token #9",
  );
  assert.equal(describeChange({ method: "POST", path: "/weird" }), "POST /weird");
});
