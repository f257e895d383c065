// Cell-level CSV rules shared by import and export: formula neutralization and tag lists.

/**
 * Spreadsheets run a cell starting with = + - @ (or tab/CR before them) as a formula
 * (OWASP "CSV injection"). Such cells get a leading apostrophe. A cell that already starts
 * with apostrophes before one of those characters gets one more, so restoreCell can undo
 * exactly one and the round trip is lossless.
 */
const NEEDS_GUARD = /^'*[=+\-@\t\r]/;
const GUARDED = /^'+[=+\-@\t\r]/;

export function neutralizeCell(value: string): string {
  return NEEDS_GUARD.test(value) ? `'${value}` : value;
}

/** Inverse of neutralizeCell, applied by the importer to every cell. */
export function restoreCell(value: string): string {
  return GUARDED.test(value) ? value.slice(1) : value;
}

/** Splits a tags cell on ";" or "|"; blanks are dropped. */
export function splitTags(cell: string): string[] {
  return cell.split(/[;|]/).map((t) => t.trim()).filter((t) => t !== "");
}

export function joinTags(tags: readonly string[]): string {
  return tags.join(";");
}
