// One host's timeline on its page and drawer: everything that happened to it, newest first, with
// a link to the older page. Summaries come from the audit log, events and runs; all escaped.
import type { TimelinePage } from "@/services/dashboard/mod.ts";
import { formatUtc, timeAgo } from "../shared/host_detail_format.ts";

const SOURCE_LABEL: Record<string, string> = {
  first_seen: "first seen",
  audit: "edit",
  event: "event",
  indicator: "indicator",
  action: "action",
};

export function HostTimeline(p: { hostId: number; page: TimelinePage; now: number }) {
  if (p.page.items.length === 0) return <p class="muted">Nothing has happened yet.</p>;
  return (
    <div data-testid="host-timeline">
      <ol class="host-timeline">
        {p.page.items.map((i) => (
          <li key={`${i.source}.${i.ref_id}`} data-source={i.source} data-kind={i.kind}>
            <time dateTime={i.ts} title={formatUtc(i.ts)} class="muted text-sm">
              {timeAgo(i.ts, p.now)}
            </time>{" "}
            <span class="chip">{SOURCE_LABEL[i.source] ?? i.source}</span>{" "}
            <span class="break-words">{i.summary}</span>
            {i.username && <span class="muted">{` by ${i.username}`}</span>}
          </li>
        ))}
      </ol>
      {p.page.next_cursor && (
        <a
          class="link text-sm"
          href={`/hosts/${p.hostId}?timeline=${encodeURIComponent(p.page.next_cursor)}#timeline`}
        >
          Older
        </a>
      )}
    </div>
  );
}
