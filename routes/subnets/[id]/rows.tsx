// GET /subnets/:id/rows: one window of the address table as HTML with the usage figures, for the
// live island (a host that appeared splits its gap row; counts change after a claim or a sweep).
import { renderToString } from "preact-render-to-string";
import type { AppContext } from "@/web/env.ts";
import { notFound } from "@/services/errors.ts";
import { strictId } from "@/services/input_rules.ts";
import { requireSubnet } from "@/services/ipam/mod.ts";
import { AddressRowList } from "@/components/AddressRows.tsx";
import { readWindow } from "../_window.ts";

export async function GET(c: AppContext) {
  const id = strictId(c.req.param("id"));
  if (id === null) throw notFound(`subnet ${c.req.param("id")?.slice(0, 40)}`);
  const deps = c.get("deps");
  const s = await requireSubnet(deps.db, id);
  const { view } = await readWindow(c, s);
  const u = view.utilization;
  c.header("cache-control", "no-store");
  return c.json({
    rows_html: renderToString(
      <AddressRowList
        rows={view.rows}
        now={deps.now()}
        canPing={(c.get("user")?.role ?? "viewer") !== "viewer"}
      />,
    ),
    usable: u.usable,
    used: u.used,
    alive: u.alive,
    free: u.free,
    percent_used: u.percent_used,
    total_rows: view.total_rows,
    offset: view.offset,
    row_count: view.rows.length,
    next_free: view.next_free,
  });
}
