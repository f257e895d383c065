// Which window of a subnet's folded rows a request asks for (?order, ?offset, ?limit, ?at).
import type { AppContext } from "@/web/env.ts";
import type { Db, StateStore } from "@/services/store/mod.ts";
import { AppError } from "@/services/errors.ts";
import {
  type AddressOrder,
  loadSubnetAddresses,
  type SubnetAddresses,
  type SubnetRecord,
} from "@/services/ipam/mod.ts";

/**
 * Rows per window. A window of host rows is about 100 KB of HTML, so even a /16 with 20,000 hosts
 * (about 40,000 rows with its gaps) renders in constant time; every row stays reachable through
 * the window links and the jump-to-address form.
 */
export const WINDOW_ROWS = 250;
export const MAX_WINDOW_ROWS = 1000;

export interface WindowRequest {
  view: SubnetAddresses;
  order: AddressOrder;
  limit: number;
  /** The address asked for with ?at=, as typed (bounded). */
  at: string | null;
  /** Why ?at= could not be followed, in the page's words. */
  atError: string | null;
}

function wholeNumber(text: string | undefined, min: number, max: number): number | null {
  if (text === undefined || !/^\d{1,9}$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

/** What a request asks of the window, parsed (plain data: a memoized read can keep it). */
export interface WindowParams {
  order: AddressOrder;
  limit: number;
  offset: number;
  at: string | null;
}

export function windowParams(c: AppContext): WindowParams {
  return {
    order: c.req.query("order") === "alive_first" ? "alive_first" : "address",
    limit: wholeNumber(c.req.query("limit"), 1, MAX_WINDOW_ROWS) ?? WINDOW_ROWS,
    offset: wholeNumber(c.req.query("offset"), 0, 1e9) ?? 0,
    at: c.req.query("at")?.replaceAll("\u0000", "").trim().slice(0, 100) || null,
  };
}

export function readWindow(c: AppContext, s: SubnetRecord): Promise<WindowRequest> {
  const { db, kv } = c.get("deps");
  return loadWindow(db, kv, s, windowParams(c));
}

export async function loadWindow(
  db: Db,
  kv: StateStore,
  s: SubnetRecord,
  { order, limit, offset, at }: WindowParams,
): Promise<WindowRequest> {
  if (at) {
    try {
      return {
        view: await loadSubnetAddresses(db, kv, s, { order, limit, at }),
        order,
        limit,
        at,
        atError: null,
      };
    } catch (e) {
      if (!(e instanceof AppError) || e.status !== 422) throw e;
      const atError = e.code === "not_in_subnet"
        ? `${at} is not inside ${s.cidr}.`
        : `"${at}" is not an address. Type one like ${
          s.family === 4 ? "198.51.100.20" : "2001:db8::20"
        }.`;
      return {
        view: await loadSubnetAddresses(db, kv, s, { order, limit, offset }),
        order,
        limit,
        at,
        atError,
      };
    }
  }
  return {
    view: await loadSubnetAddresses(db, kv, s, { order, limit, offset }),
    order,
    limit,
    at: null,
    atError: null,
  };
}
