// Counts with their noun in the right number: "1 subnet", "2 subnets", "1,024 addresses".
import { formatCount } from "./format_count.ts";

/** `plural(1, "subnet")` → "1 subnet"; the plural is `one + "s"` unless given. */
export function plural(n: number | string, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${String(n) === "1" ? one : many}`;
}
