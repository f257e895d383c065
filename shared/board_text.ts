// The dashboard board's sentences: totals with plurals, and an outage counted from the host's last
// successful check (not from when the flip was noticed). Pure, for the server and the live island.
import { formatAge } from "./state_view.ts";
import { formatUtc } from "./host_detail_format.ts";
import { formatCount } from "./format_count.ts";
import { plural } from "./plural.ts";

export interface BoardTotals {
  subnets: number;
  hosts: number;
  up: number;
  down: number;
  unknown: number;
}

/** "3 subnets · 12 hosts: 5 up, 2 down, 5 unknown". */
export function totalsText(t: BoardTotals): string {
  return `${plural(t.subnets, "subnet")} · ${plural(t.hosts, "host")}: ` +
    `${formatCount(t.up)} up, ${formatCount(t.down)} down, ${formatCount(t.unknown)} unknown`;
}

/** One outage line's words: since the last answer, and for how long. */
export function outageText(
  d: { last_seen: number | null; down_since: number },
  now: number,
): { since: string; length: string } {
  if (d.last_seen === null) {
    return {
      since: `never answered (checked since ${formatUtc(new Date(d.down_since).toISOString())})`,
      length: "",
    };
  }
  return {
    since: `last answer ${formatUtc(new Date(d.last_seen).toISOString())}`,
    length: `down for ${formatAge(now - d.last_seen)}`,
  };
}
