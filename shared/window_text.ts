// The address table's window line ("Rows 251–500 of 1,201"): server-rendered, rewritten live.
import { formatCount } from "./format_count.ts";

export function windowRangeText(offset: number, count: number, total: number): string {
  return count > 0
    ? `Rows ${formatCount(String(offset + 1))}–${formatCount(String(offset + count))} of ${
      formatCount(String(total))
    }`
    : `No rows here (${formatCount(String(total))} in all)`;
}
