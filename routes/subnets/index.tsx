// GET/POST /subnets: the subnet tree with filters and details, and the full add-subnet form.
import { plural } from "@/shared/plural.ts";
import { subnetWriteOptions } from "@/services/sweeps/mod.ts";
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { createSubnetFromForm, listSubnetSummaries } from "@/services/ipam/mod.ts";
import { SubnetTable } from "@/components/SubnetTable.tsx";
import { SubnetForm } from "@/components/SubnetForm.tsx";
import { formIntervalProblem } from "./_interval.ts";
import { island } from "@/web/islands.tsx";
import SweepNow from "@/islands/SweepNow.tsx";

const SweepNowIsland = island("SweepNow", SweepNow);

interface ListState {
  values?: Record<string, string>;
  errors?: Record<string, string>;
  createdId?: number;
  deleted?: string;
}

/** Query text for filters: bounded and without NUL. */
function filterText(value: string | undefined, max: number): string | undefined {
  const v = value?.replaceAll("\u0000", "").trim().slice(0, max);
  return v ? v : undefined;
}

async function render(c: AppContext, state: ListState, status = 200) {
  const { db, kv } = c.get("deps");
  const q = filterText(c.req.query("q"), 200);
  const tag = filterText(c.req.query("tag"), 64);
  const subnets = await listSubnetSummaries(db, kv, { q, tag });
  const filtered = !!(q || tag);
  const canEdit = c.get("user")?.role !== "viewer";
  return page(
    c,
    "Subnets",
    <div class="flex flex-col gap-4">
      <h1 class="text-2xl font-bold">Subnets</h1>
      {state.deleted && (
        <p class="notice" role="status" data-testid="deleted-notice">
          Subnet <span class="mono">{state.deleted}</span> deleted.
        </p>
      )}
      <section class="card" aria-labelledby="list-title">
        <div class="flex flex-wrap items-end gap-2 mb-3">
          <h2 id="list-title" class="text-lg font-bold flex-1">
            {filtered ? `${plural(subnets.length, "subnet")} matching` : "All subnets"}
          </h2>
          <form method="get" action="/subnets" class="flex flex-wrap gap-2 items-end">
            <label class="flex flex-col text-sm">
              Text
              <input class="input" name="q" value={q ?? ""} placeholder="name, cidr, location" />
            </label>
            <label class="flex flex-col text-sm">
              Tag
              <input class="input w-28" name="tag" value={tag ?? ""} />
            </label>
            <button class="btn btn-quiet" type="submit">Filter</button>
            {filtered && <a class="btn btn-quiet" href="/subnets">Clear</a>}
          </form>
          <a class="btn btn-quiet" href="/api/v1/export/subnets.csv" download>Export CSV</a>
          {canEdit && <a class="btn btn-quiet" href="/import">Import CSV</a>}
        </div>
        <SubnetTable
          subnets={subnets}
          detailed
          highlightId={state.createdId}
          caption="Subnets"
          sweep={canEdit}
          filter={filtered
            ? [q && `“${q}”`, tag && `tag “${tag}”`].filter(Boolean).join(" and ")
            : undefined}
        />
        {canEdit && subnets.length > 0 && <SweepNowIsland />}
      </section>
      {canEdit && (
        <section class="card" aria-labelledby="add-title">
          <h2 id="add-title" class="text-lg font-bold mb-2">Add a subnet</h2>
          <SubnetForm
            action="/subnets"
            csrf={c.get("csrfToken") ?? ""}
            values={state.values}
            errors={state.errors}
            submitLabel="Add subnet"
            idPrefix="new"
            defaultIntervalS={c.get("deps").cfg.SCAN_SWEEP_INTERVAL_MINUTES * 60}
          />
        </section>
      )}
    </div>,
    status,
  );
}

export function GET(c: AppContext) {
  const created = Number(c.req.query("created"));
  return render(c, {
    createdId: Number.isSafeInteger(created) ? created : undefined,
    deleted: filterText(c.req.query("deleted"), 60),
  });
}

export async function POST(c: AppContext) {
  const form = await c.req.parseBody();
  const problem = formIntervalProblem(c, form.scan_interval_s);
  if (problem) {
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) if (typeof v === "string") values[k] = v;
    return render(c, { values, errors: { scan_interval_s: problem } }, 422);
  }
  const outcome = await createSubnetFromForm(c.get("deps").db, form, {
    ...await subnetWriteOptions(c.get("deps")),
  });
  if (outcome.ok) return c.redirect(`/subnets/${outcome.value.id}?created=1`, 303);
  return render(c, { values: outcome.raw, errors: outcome.errors }, outcome.status);
}
