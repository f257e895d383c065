// The "Alive now" list's count line, written by the server and by the live island alike.
import { formatCount } from "./format_count.ts";

/** "Showing 50 of 1,234 alive hosts" when the list is cut; "3 hosts" otherwise. */
export function aliveCountText(shown: number, total: number): string {
  if (shown < total) return `Showing ${formatCount(shown)} of ${formatCount(total)} alive hosts`;
  return `${formatCount(total)} ${total === 1 ? "host" : "hosts"}`;
}
