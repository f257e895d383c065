// Island: keeps the dashboard's "Alive now" list true between reloads. A host that stops
// answering leaves the list at once (it enters "Down now" in the board); a host that starts
// answering is counted and offered with a link, since its row needs data the event lacks.
import { useEffect, useState } from "preact/hooks";
import type { LiveHostChange } from "../shared/live_cells.ts";
import { formatCount } from "../shared/format_count.ts";
import { aliveCountText } from "../shared/alive_count_text.ts";

export interface AliveListLiveProps extends Record<string, unknown> {
  /** Rows on this page, matching hosts in all, and whether filters narrow the list. */
  shown: number;
  total: number;
  filtered: boolean;
  /** Alive hosts in all (before filters). */
  alive: number;
  /** The list's table (rows are `tr[data-ip]`). */
  tableId: string;
}

export default function AliveListLive(p: AliveListLiveProps) {
  const [shown, setShown] = useState(p.shown);
  const [total, setTotal] = useState(p.total);
  const [alive, setAlive] = useState(p.alive);
  const [arrived, setArrived] = useState(0);

  useEffect(() => {
    const onHosts = (e: Event) => {
      const changes = (e as CustomEvent<{ changes: LiveHostChange[] }>).detail?.changes ?? [];
      const table = document.getElementById(p.tableId);
      let gone = 0;
      let came = 0;
      let delta = 0;
      for (const c of changes) {
        const row = table?.querySelector(`tr[data-ip="${CSS.escape(c.ip)}"]`);
        if (!c.up && row) {
          row.remove();
          gone++;
        } else if (c.up && c.prev_up !== true && !row) {
          came++;
        }
        delta += (c.up ? 1 : 0) - (c.prev_up ? 1 : 0);
      }
      if (gone) {
        setShown((n) => Math.max(0, n - gone));
        setTotal((n) => Math.max(0, n - gone));
      }
      // With filters on, a newcomer may not match them: offer the reload, do not count it.
      if (came) {
        setArrived((n) => n + came);
        if (!p.filtered) setTotal((n) => n + came);
      }
      if (delta) setAlive((n) => Math.max(0, n + delta));
    };
    document.addEventListener("pf:hosts", onHosts);
    return () => document.removeEventListener("pf:hosts", onHosts);
  }, [p.tableId, p.filtered]);

  return (
    <span data-testid="alive-count" data-total={total}>
      {aliveCountText(shown, total)}
      {p.filtered && ` matching the filters (${formatCount(alive)} alive in all)`}
      {arrived > 0 && (
        <>
          {" · "}
          <a class="link" href="" data-testid="alive-arrived">
            {formatCount(arrived)} more {arrived === 1 ? "answers" : "answer"} now, refresh
          </a>
        </>
      )}
    </span>
  );
}
