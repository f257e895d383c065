// docs/ipam.md must carry the CSV column tables as the code documents them (deno fmt may pad them).
import assert from "node:assert/strict";
import { CSV_COLUMNS_DOC } from "./csv_columns.ts";

/** Same text regardless of table padding and line wrapping. */
function normalize(markdown: string): string {
  return markdown.split("\n").map((line) =>
    line.trim().startsWith("|")
      ? line.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/^-+$/, "---")).join("|")
      : line.trim()
  ).join(" ").replace(/\s+/g, " ");
}

Deno.test("docs/ipam.md contains CSV_COLUMNS_DOC (regenerate that section if not)", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/ipam.md", import.meta.url));
  assert.ok(
    normalize(doc).includes(normalize(CSV_COLUMNS_DOC)),
    "docs/ipam.md is out of date with services/ipam/csv_columns.ts",
  );
});
