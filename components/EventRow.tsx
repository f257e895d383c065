// One alert event as a table row: server-rendered in the feed, and rendered by the live island.
/** What a row shows of an AlertEvent (the island gets these fields over SSE). */
export interface EventRowData {
  id: number | null;
  kind: string;
  ts: string;
  summary: string;
  host: { id: number } | null;
}

const TONE: Record<string, string> = {
  host_down: "pill-down",
  host_up: "pill-up",
  exporter_silent: "pill-down",
  scan_failing: "pill-down",
};

/** One event row; the live feed island builds the same markup for events that arrive later. */
export function EventRow(p: { e: EventRowData }) {
  const e = p.e;
  return (
    <tr data-event-id={e.id ?? ""} data-kind={e.kind}>
      <td class="mono text-sm whitespace-nowrap">
        <time datetime={e.ts}>{e.ts.slice(0, 19).replace("T", " ")}</time>
      </td>
      <td>
        <span class={`pill ${TONE[e.kind] ?? "pill-unknown"}`}>{e.kind.replace("_", " ")}</span>
      </td>
      <td>
        {e.host ? <a class="link" href={`/hosts/${e.host.id}`}>{e.summary}</a> : e.summary}
      </td>
    </tr>
  );
}
