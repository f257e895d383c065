// Window links of a subnet's address table: first / previous / next / last and jump to an address.
import type { AddressOrder, SubnetAddresses } from "@/services/ipam/mod.ts";
import { windowRangeText } from "@/shared/window_text.ts";

export interface WindowNavProps {
  /** The subnet page's path, /subnets/12. */
  base: string;
  order: AddressOrder;
  view: SubnetAddresses;
  limit: number;
  at: string | null;
  atError: string | null;
}

export function WindowNav(p: WindowNavProps) {
  const v = p.view;
  const link = (offset: number) => {
    const q = new URLSearchParams();
    if (p.order !== "address") q.set("order", p.order);
    if (offset > 0) q.set("offset", String(offset));
    const text = q.toString();
    return `${p.base}${text ? `?${text}` : ""}#addresses-title`;
  };
  const lastOffset = v.total_rows > 0 ? Math.floor((v.total_rows - 1) / p.limit) * p.limit : 0;
  const paged = v.total_rows > p.limit;
  const shown = windowRangeText(v.offset, v.rows.length, v.total_rows);
  return (
    <div class="window-nav flex flex-wrap items-end gap-2 mb-2" data-testid="window-nav">
      <nav aria-label="Address rows" class="flex flex-wrap items-center gap-1">
        {paged && v.prev_offset !== null && (
          <>
            <a class="btn btn-quiet" href={link(0)} data-testid="window-first">First</a>
            <a
              class="btn btn-quiet"
              href={link(v.prev_offset)}
              rel="prev"
              data-testid="window-prev"
            >
              Previous
            </a>
          </>
        )}
        <span class="muted text-sm tabular-nums" data-testid="window-range">{shown}</span>
        {paged && v.next_offset !== null && (
          <>
            <a
              class="btn btn-quiet"
              href={link(v.next_offset)}
              rel="next"
              data-testid="window-next"
            >
              Next
            </a>
            <a class="btn btn-quiet" href={link(lastOffset)} data-testid="window-last">Last</a>
          </>
        )}
      </nav>
      <form method="get" action={p.base} class="flex flex-wrap items-end gap-1" role="search">
        {p.order !== "address" && <input type="hidden" name="order" value={p.order} />}
        <label class="flex flex-col text-sm" for="jump-at">
          Jump to address
          <input
            id="jump-at"
            class="input mono w-44"
            name="at"
            value={p.at ?? ""}
            autocomplete="off"
            aria-invalid={p.atError ? "true" : undefined}
            aria-describedby={p.atError ? "jump-at-error" : undefined}
          />
        </label>
        <button type="submit" class="btn btn-quiet">Go</button>
        {p.atError && (
          <span id="jump-at-error" class="field-error text-sm" role="alert">{p.atError}</span>
        )}
      </form>
    </div>
  );
}
