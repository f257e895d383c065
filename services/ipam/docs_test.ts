// docs/ipam.md must carry the CSV column table exactly as the code documents it.
import assert from "node:assert/strict";
import { CSV_COLUMNS_DOC } from "./csv_columns.ts";

Deno.test("docs/ipam.md contains CSV_COLUMNS_DOC verbatim (regenerate the section if not)", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/ipam.md", import.meta.url));
  assert.ok(doc.includes(CSV_COLUMNS_DOC), "docs/ipam.md is out of date with csv_columns.ts");
});
