import assert from "node:assert/strict";
import { uiErrorOf, uiWords } from "./ui_words.ts";

Deno.test("API-only switches are dropped, the sentence says what to do in the UI", () => {
  assert.equal(
    uiWords(
      "198.51.100.7 is not inside any subnet; create a subnet that contains it first, " +
        "or allow it without one (allow_orphan=true in the API)",
      "no_subnet",
    ),
    "198.51.100.7 is not inside any subnet: add a subnet that contains it first.",
  );
  assert.equal(
    uiWords(
      "203.0.113.9 is not inside any subnet; import or create the subnet first, or allow hosts " +
        "outside every subnet (the import form's checkbox; allow_orphan=true in the API)",
    ),
    "203.0.113.9 is not inside any subnet; import or create the subnet first, or allow hosts " +
      "outside every subnet",
  );
});

Deno.test("ids become what the page shows; addresses stay", () => {
  assert.equal(
    uiWords("host 2 is being port-scanned by another instance; try again when it finishes"),
    "this host is being port-scanned by another instance; try again when it finishes",
  );
  assert.equal(
    uiWords("host 198.51.100.10 already exists (id 12)"),
    "host 198.51.100.10 already exists",
  );
  assert.equal(
    uiWords("run 5: timed out after 900 s; the process group was killed"),
    "timed out after 15 min; the process group was killed",
  );
});

Deno.test("seconds read as minutes, field names as labels", () => {
  assert.equal(uiWords("try again in 850 s"), "try again in 14 min 10 s");
  assert.equal(uiWords("try again in 45 s"), "try again in 45 s");
  assert.equal(uiWords("scan_interval_s must be at least 30"), "scan interval must be at least 30");
  assert.equal(
    uiErrorOf({ error: { code: "x", message: "hostname_override: too long" } }, "?"),
    "hostname: too long",
  );
  assert.equal(uiErrorOf(null, "HTTP 500"), "HTTP 500");
});
