// Reads the dashboard's filter query (?subnet=&tag=&service=&q=) into a bounded AliveFilter.
import type { AliveFilter } from "./alive_hosts.ts";
import { MAX_ID } from "@/services/input_rules.ts";

/** The filters as the form shows them again (strings, "" when unset). */
export interface AliveFilterValues {
  subnet: string;
  tag: string;
  service: string;
  q: string;
}

const MAX = { tag: 64, service: 256, q: 200 } as const;

/** Strips control characters (a NUL would break the SQL text) and trims; bounded length. */
function clean(value: string | undefined, max: number): string {
  // deno-lint-ignore no-control-regex
  return (value ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, max);
}

/**
 * Unknown or malformed values are dropped rather than refused: this is a GET filter bar, and a
 * stale bookmark should still show the list. `values` echo what is applied.
 */
export function parseAliveQuery(
  query: Record<string, string | undefined>,
): { filter: AliveFilter; values: AliveFilterValues; active: boolean } {
  const subnetText = clean(query.subnet, 100);
  const subnetId = /^\d{1,15}$/.test(subnetText) ? Number(subnetText) : NaN;
  const subnet = Number.isSafeInteger(subnetId) && subnetId > 0 && subnetId <= MAX_ID
    ? subnetId
    : undefined;
  const tag = clean(query.tag, MAX.tag);
  const service = clean(query.service, MAX.service);
  const q = clean(query.q, MAX.q);
  const filter: AliveFilter = {
    ...(subnet !== undefined ? { subnet_id: subnet } : {}),
    ...(tag ? { tag } : {}),
    ...(service ? { service } : {}),
    ...(q ? { q } : {}),
  };
  return {
    filter,
    values: { subnet: subnet === undefined ? "" : String(subnet), tag, service, q },
    active: Object.keys(filter).length > 0,
  };
}
