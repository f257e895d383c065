// GET /events: the events feed — who went down when and for how long, what opened — live.
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { island } from "@/web/islands.tsx";
import { EVENT_KINDS, isEventKind, listEvents } from "@/services/alerts/mod.ts";
import { EventTable } from "@/components/AlertEvents.tsx";
import EventFeed from "@/islands/EventFeed.tsx";

const EventFeedIsland = island("EventFeed", EventFeed);
const PAGE = 100;

export async function GET(c: AppContext) {
  const q = c.req.query();
  const kind = q.kind && isEventKind(q.kind) ? q.kind : "";
  const before = /^\d{1,15}$/.test(q.before ?? "") ? Number(q.before) : undefined;
  const rows = await listEvents(c.get("deps").db, {
    kinds: kind ? [kind] : undefined,
    beforeId: before,
    limit: PAGE + 1,
  });
  const events = rows.slice(0, PAGE);
  const older = rows.length > PAGE ? events[events.length - 1].id : null;
  return page(
    c,
    "Events",
    <div class="flex flex-col gap-4">
      <div class="flex flex-wrap items-baseline gap-4">
        <h1 class="text-2xl font-bold">Events</h1>
        <p class="muted flex-1">
          Every change Pingfold saw, whether or not a rule sent it.{" "}
          <a class="link" href="/alerts">Rules and targets</a>
        </p>
        {before === undefined && <EventFeedIsland kinds={kind ? [kind] : []} max={PAGE} />}
      </div>
      <form method="get" action="/events" class="flex flex-wrap gap-2 items-end">
        <label class="flex flex-col text-sm">
          Kind
          <select name="kind" class="input">
            <option value="">all</option>
            {EVENT_KINDS.map((k) => <option key={k} value={k} selected={k === kind}>{k}</option>)}
          </select>
        </label>
        <button class="btn btn-quiet" type="submit">Filter</button>
      </form>
      <section class="card overflow-x-auto" aria-label="Events">
        <EventTable events={events} caption="Events, newest first" live={before === undefined} />
        {events.length === 0 && <p class="muted py-3" data-testid="events-empty">No events yet.</p>}
        {older !== null && (
          <p class="mt-2">
            <a
              class="link"
              href={`/events?${new URLSearchParams({
                ...(kind && { kind }),
                before: String(older),
              })}`}
            >
              Older events
            </a>
          </p>
        )}
      </section>
    </div>,
  );
}
