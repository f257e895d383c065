// GET/POST /subnets/:id: one subnet's folded address view, next free address, add host, edit and delete.
import { uiWords } from "@/shared/ui_words.ts";
import { subnetWriteOptions } from "@/services/sweeps/mod.ts";
import { intervalWords, sweptEveryS } from "@/shared/scan_interval.ts";
import { formIntervalProblem } from "./_interval.ts";
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { island } from "@/web/islands.tsx";
import { AppError, notFound } from "@/services/errors.ts";
import { strictId } from "@/services/input_rules.ts";
import {
  createHostFromForm,
  type DeleteCascade,
  deleteSubnet,
  listSubnets,
  requireSubnet,
  type SubnetAddresses,
  subnetContents,
  type SubnetRecord,
  type SubnetSummary,
  subnetToForm,
  summarizeSubnets,
  updateSubnetFromForm,
} from "@/services/ipam/mod.ts";
import { AddressRows, hostAnchor } from "@/components/AddressRows.tsx";
import { WindowNav } from "@/components/WindowNav.tsx";
import { SweepButton } from "@/components/SweepButton.tsx";
import { SubnetForm } from "@/components/SubnetForm.tsx";
import { SubnetTable } from "@/components/SubnetTable.tsx";
import { UtilizationBar } from "@/components/UtilizationBar.tsx";
import { formatCount } from "@/shared/format_count.ts";
import LiveStatus from "@/islands/LiveStatus.tsx";
import HostDrawer from "@/islands/HostDrawer.tsx";
import KeyboardNav from "@/islands/KeyboardNav.tsx";
import AddressTable from "@/islands/AddressTable.tsx";
import SweepNow from "@/islands/SweepNow.tsx";
import { loadWindow, type WindowParams, windowParams } from "./_window.ts";
import { cachedPage } from "@/web/page_cache.ts";
import { type Db, memoRead, type StateStore } from "@/services/store/mod.ts";

const LiveStatusIsland = island("LiveStatus", LiveStatus);
const HostDrawerIsland = island("HostDrawer", HostDrawer);
const KeyboardNavIsland = island("KeyboardNav", KeyboardNav);
const AddressTableIsland = island("AddressTable", AddressTable);
const SweepNowIsland = island("SweepNow", SweepNow);

interface PageState {
  notice?: string;
  /** Just created: offer the first sweep and a schedule at once. */
  created?: boolean;
  /** The schedule offer's error (outside the scan scope, a bad interval). */
  scheduleError?: string;
  edit?: { values: Record<string, string>; errors: Record<string, string> };
  host?: { values: Record<string, string>; errors: Record<string, string> };
  deleteError?: string;
}

const canEditRole = (c: AppContext) => c.get("user")?.role !== "viewer";

function subnetId(c: AppContext): number {
  const id = strictId(c.req.param("id"));
  if (id === null) throw notFound(`subnet ${c.req.param("id")?.slice(0, 40)}`);
  return id;
}

function Csrf(p: { c: AppContext }) {
  return <input type="hidden" name="_csrf" value={p.c.get("csrfToken") ?? ""} />;
}

function FieldError(p: { id: string; message?: string }) {
  return p.message ? <span id={p.id} class="field-error text-sm">{uiWords(p.message)}</span> : null;
}

function HostForm(
  p: {
    c: AppContext;
    s: SubnetRecord;
    values?: Record<string, string>;
    errors?: Record<string, string>;
  },
) {
  const v = p.values ?? {};
  const e = p.errors ?? {};
  const field = (name: string, label: string, placeholder = "") => (
    <label class="flex flex-col gap-1" for={`host-${name}`}>
      <span class="text-sm font-semibold">{label}</span>
      <input
        id={`host-${name}`}
        name={name}
        class={`input${name === "ip" || name === "mac" ? " mono" : ""}`}
        value={v[name] ?? ""}
        placeholder={placeholder}
        aria-invalid={e[name] ? "true" : undefined}
        aria-describedby={e[name] ? `host-${name}-error` : undefined}
        autocomplete="off"
      />
      <FieldError id={`host-${name}-error`} message={e[name]} />
    </label>
  );
  return (
    <form method="post" action={`/subnets/${p.s.id}`} class="flex flex-col gap-3" novalidate>
      <Csrf c={p.c} />
      <input type="hidden" name="_action" value="add_host" />
      {e._ && <p role="alert" class="alert">{e._}</p>}
      <div class="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {field("ip", "Address", p.s.family === 4 ? "198.51.100.10" : "2001:db8::10")}
        {field("hostname", "Hostname", "web-01.example.com")}
        {field("mac", "MAC", "00:00:5e:00:53:01")}
        {field("description", "Description")}
        {field("tags", "Tags (separate with ;)")}
        {field("notes", "Notes")}
      </div>
      <div>
        <button type="submit" class="btn">Add host</button>
      </div>
    </form>
  );
}

function Header(p: { s: SubnetRecord; ancestors: SubnetRecord[]; minIntervalS: number }) {
  const s = p.s;
  // What the scheduler really keeps (its floor and its tick), not only what was typed.
  const every = sweptEveryS(s.scan_interval_s, p.minIntervalS);
  return (
    <header class="flex flex-col gap-1">
      <nav aria-label="Breadcrumb" class="text-sm">
        <ol class="flex flex-wrap gap-1">
          <li>
            <a class="link" href="/subnets">Subnets</a>
          </li>
          {p.ancestors.map((a) => (
            <li>
              <span aria-hidden="true">›</span>
              <a class="link mono" href={`/subnets/${a.id}`}>{a.cidr}</a>
            </li>
          ))}
        </ol>
      </nav>
      <h1 class="text-2xl font-bold">
        <span class="mono" data-testid="subnet-cidr">{s.cidr}</span>
        {s.name && <span class="font-normal">{` · ${s.name}`}</span>}
      </h1>
      {s.description && <p>{s.description}</p>}
      <p class="text-sm muted flex flex-wrap gap-3">
        {s.vlan !== null && <span>VLAN {s.vlan}</span>}
        {s.location && <span>{s.location}</span>}
        <span data-testid="scan-interval">
          {!s.scan_enabled
            ? "Not scanned"
            : every === s.scan_interval_s
            ? `Scanned every ${intervalWords(every)}`
            : `Scanned every ${intervalWords(every)} (set to ${
              intervalWords(s.scan_interval_s)
            }, which the scheduler cannot keep)`}
        </span>
        {s.tags.length > 0 && (
          <span>{s.tags.map((t) => <span key={t} class="chip mr-1">{t}</span>)}</span>
        )}
      </p>
    </header>
  );
}

function Usage(p: { view: SubnetAddresses }) {
  const u = p.view.utilization;
  const stat = (label: string, value: string, testId: string) => (
    <div class="flex flex-col">
      <dt class="text-sm muted">{label}</dt>
      <dd class="text-lg font-semibold tabular-nums" data-testid={testId}>{formatCount(value)}</dd>
    </div>
  );
  return (
    <div class="flex flex-col gap-2" data-testid="usage">
      <dl class="flex flex-wrap gap-6">
        {stat("Usable", u.usable, "usable")}
        {stat("Used", u.used, "used")}
        {stat("Alive", u.alive, "alive")}
        {stat("Free", u.free, "free")}
      </dl>
      <UtilizationBar percent={u.percent_used} used={u.used} usable={u.usable} />
    </div>
  );
}

function NextFree(p: { c: AppContext; s: SubnetRecord; ip: string | null }) {
  if (!p.ip) return <p class="muted" data-testid="next-free">No free address left.</p>;
  return (
    <form
      method="post"
      action={`/subnets/${p.s.id}`}
      class="flex flex-wrap items-end gap-2"
      data-testid="next-free"
    >
      <Csrf c={p.c} />
      <input type="hidden" name="_action" value="add_host" />
      <input type="hidden" name="ip" value={p.ip} />
      <span class="text-sm">
        Next free address: <strong class="mono" data-testid="next-free-ip">{p.ip}</strong>
      </span>
      <label class="sr-only" for="next-free-hostname">Hostname for {p.ip}</label>
      <input
        id="next-free-hostname"
        class="input"
        name="hostname"
        placeholder="hostname (optional)"
        autocomplete="off"
      />
      <button type="submit" class="btn">Claim next free address</button>
    </form>
  );
}

/** Choices of "Scan every …": whole minutes, as the scheduler starts sweeps once a minute. */
const SCHEDULE_CHOICES: Array<[number, string]> = [
  [60, "minute"],
  [300, "5 minutes"],
  [900, "15 minutes"],
  [3600, "hour"],
  [21600, "6 hours"],
  [86400, "day"],
];

/** Right after creating a subnet: sweep it now, or have it scanned on a schedule. */
function CreatedOffer(p: { c: AppContext; s: SubnetRecord; error?: string }) {
  const current = p.s.scan_interval_s;
  return (
    <section
      class="card flex flex-col gap-3"
      aria-labelledby="offer-title"
      data-testid="created-offer"
    >
      <h2 id="offer-title" class="text-lg font-bold">
        Subnet <span class="mono">{p.s.cidr}</span> added. What next?
      </h2>
      <div class="flex flex-wrap items-end gap-4">
        <SweepButton subnetId={p.s.id} cidr={p.s.cidr} />
        <form
          method="post"
          action={`/subnets/${p.s.id}`}
          class="flex flex-wrap items-end gap-2"
          data-testid="schedule-form"
        >
          <Csrf c={p.c} />
          <input type="hidden" name="_action" value="schedule" />
          <label class="flex flex-col text-sm" for="offer-interval">
            Scan every
            <select id="offer-interval" name="scan_interval_s" class="input">
              {SCHEDULE_CHOICES.map(([secs, words]) => (
                <option value={secs} selected={secs === current}>{words}</option>
              ))}
            </select>
          </label>
          <button type="submit" class="btn btn-quiet">
            {p.s.scan_enabled ? "Change schedule" : "Scan on this schedule"}
          </button>
        </form>
      </div>
      {p.error && <p role="alert" class="alert" data-testid="schedule-error">{p.error}</p>}
    </section>
  );
}

function DeleteForm(
  p: { c: AppContext; s: SubnetRecord; error?: string; childCount: number; hosts: number },
) {
  const empty = p.childCount === 0 && p.hosts === 0;
  return (
    <form method="post" action={`/subnets/${p.s.id}`} class="flex flex-col gap-2">
      <Csrf c={p.c} />
      <input type="hidden" name="_action" value="delete" />
      {p.error && <p role="alert" class="alert" data-testid="delete-error">{p.error}</p>}
      {empty
        ? <p>This subnet holds no hosts and no child subnets.</p>
        : (
          <fieldset class="flex flex-col gap-1">
            <legend class="font-semibold mb-1">
              It holds {p.childCount} child subnet(s) and {p.hosts}{" "}
              host(s). What should happen to them?
            </legend>
            <label class="flex gap-2">
              <input type="radio" name="cascade" value="orphan" />
              Keep them: child subnets move up, hosts go to the parent subnet (or none)
            </label>
            <label class="flex gap-2">
              <input type="radio" name="cascade" value="hosts" />
              Delete its hosts; child subnets move up
            </label>
            <label class="flex gap-2">
              <input type="radio" name="cascade" value="all" />
              Delete everything inside {p.s.cidr}
            </label>
          </fieldset>
        )}
      <div>
        <button type="submit" class="btn btn-danger">Delete {p.s.cidr}</button>
      </div>
    </form>
  );
}

/** Everything the page shows of one subnet and window, read in one round of queries. */
async function readPage(
  deps: { db: Db; kv: StateStore },
  id: number,
  params: WindowParams,
  canEdit: boolean,
) {
  const { db, kv } = deps;
  const s = await requireSubnet(db, id);
  // Asked at once: under a streaming fleet each query waits its turn at the database.
  const [win, related, contents] = await Promise.all([
    loadWindow(db, kv, s, params),
    Promise.all([
      listSubnets(db, { containing: s.cidr }),
      listSubnets(db, { within: s.cidr }),
    ]),
    canEdit ? subnetContents(db, s.id) : { children: 0, hosts: 0 },
  ]);
  const ancestors = related[0].filter((a) => a.id !== s.id);
  const childRecords = related[1].filter((x) => x.parent_id === s.id);
  const children: SubnetSummary[] = childRecords.length
    ? (await summarizeSubnets(db, kv, childRecords)).map((x) => ({ ...x, depth: 0 }))
    : [];
  return { s, win, ancestors, children, contents };
}

const hasState = (p: PageState) =>
  Object.values(p).some((v) => v !== undefined && v !== false && v !== "");

async function render(c: AppContext, id: number, state: PageState = {}, status = 200) {
  const { db, kv, now } = c.get("deps");
  const canEdit = canEditRole(c);
  const params = windowParams(c);
  // A plain view is a memoized read of live state, drawn once per result (web/page_cache.ts):
  // while a fleet's verdicts stream in, a /17's page is otherwise rebuilt on every request.
  const data = hasState(state) || status !== 200
    ? await readPage({ db, kv }, id, params, canEdit)
    : await memoRead(
      db,
      JSON.stringify(["subnet_page", id, params, canEdit]),
      () => readPage({ db, kv }, id, params, canEdit),
      { live: true },
    );
  const { s, win, ancestors, children, contents } = data;
  const { view, order } = win;
  const body = () => (
    <div class="flex flex-col gap-4">
      <Header
        s={s}
        ancestors={ancestors}
        minIntervalS={c.get("deps").cfg.SCAN_ICMP_INTERVAL_SECONDS}
      />
      {state.notice && <p class="notice" role="status" data-testid="notice">{state.notice}</p>}
      {canEdit && state.created && <CreatedOffer c={c} s={s} error={state.scheduleError} />}
      <section class="card flex flex-col gap-3" aria-label="Utilization">
        <Usage view={view} />
        <LiveStatusIsland subnetId={s.id} alive={Number(view.utilization.alive)} />
        {canEdit && !state.created && (
          <p class="flex flex-wrap items-center gap-2">
            <SweepButton subnetId={s.id} cidr={s.cidr} />
          </p>
        )}
        {canEdit && <SweepNowIsland />}
        {canEdit && <NextFree c={c} s={s} ip={view.next_free} />}
        <p class="flex flex-wrap gap-2">
          <a class="btn btn-quiet" href={`/api/v1/export/hosts.csv?subnet_id=${s.id}`} download>
            Export hosts CSV
          </a>
          <a class="btn btn-quiet" href={`/api/v1/subnets/${s.id}/next-free`}>Next free (API)</a>
        </p>
      </section>
      {children.length > 0 && (
        <section class="card" aria-labelledby="children-title">
          <h2 id="children-title" class="text-lg font-bold mb-2">Child subnets</h2>
          <SubnetTable subnets={children} caption={`Subnets inside ${s.cidr}`} />
        </section>
      )}
      <section class="card" aria-labelledby="addresses-title">
        <div class="flex flex-wrap items-center gap-3 mb-2">
          <h2 id="addresses-title" class="text-lg font-bold flex-1">Addresses</h2>
          <nav aria-label="Order" class="flex gap-1">
            <a
              class="btn btn-quiet"
              href={`/subnets/${s.id}`}
              aria-current={order === "address" ? "true" : undefined}
            >
              Address order
            </a>
            <a
              class="btn btn-quiet"
              href={`/subnets/${s.id}?order=alive_first`}
              aria-current={order === "alive_first" ? "true" : undefined}
            >
              Alive first
            </a>
          </nav>
          <KeyboardNavIsland rowsLabel="address list" />
        </div>
        <WindowNav
          base={`/subnets/${s.id}`}
          order={order}
          view={view}
          limit={win.limit}
          at={win.at}
          atError={win.atError}
        />
        <div class="overflow-x-auto">
          <AddressRows
            subnetId={s.id}
            rows={view.rows}
            now={now()}
            canPing={canEdit}
            focusKey={view.at_row
              ? (view.at_row.kind === "host" ? view.at_row.ip : view.at_row.first)
              : null}
          />
        </div>
        <AddressTableIsland
          subnetId={s.id}
          order={order}
          offset={view.offset}
          limit={win.limit}
          canClaim={canEdit}
        />
      </section>
      {canEdit && (
        <section class="card" aria-labelledby="add-host-title">
          <details open={!!state.host}>
            <summary id="add-host-title" class="text-lg font-bold cursor-pointer">
              Add a host
            </summary>
            <div class="mt-3">
              <HostForm c={c} s={s} values={state.host?.values} errors={state.host?.errors} />
            </div>
          </details>
        </section>
      )}
      {canEdit && (
        <section class="card" aria-labelledby="edit-title">
          <details open={!!state.edit}>
            <summary id="edit-title" class="text-lg font-bold cursor-pointer">
              Edit subnet
            </summary>
            <div class="mt-3">
              <SubnetForm
                action={`/subnets/${s.id}`}
                csrf={c.get("csrfToken") ?? ""}
                values={state.edit?.values ?? subnetToForm(s)}
                errors={state.edit?.errors}
                submitLabel="Save changes"
                formAction="update"
                idPrefix="edit"
                editing
              />
            </div>
          </details>
        </section>
      )}
      {canEdit && (
        <section class="card" aria-labelledby="delete-title">
          <details open={!!state.deleteError}>
            <summary id="delete-title" class="text-lg font-bold cursor-pointer">
              Delete subnet
            </summary>
            <div class="mt-3">
              <DeleteForm
                c={c}
                s={s}
                error={state.deleteError}
                childCount={contents.children}
                hosts={contents.hosts}
              />
            </div>
          </details>
        </section>
      )}
      <HostDrawerIsland />
    </div>
  );
  return hasState(state) || status !== 200
    ? page(c, s.cidr, body(), status)
    : cachedPage(c, data, s.cidr, body);
}

const NOTICES: Record<string, string> = {
  created: "Subnet added.",
  updated: "Changes saved.",
  scheduled: "Scanning on: the schedule is shown under the subnet's name.",
};

export function GET(c: AppContext) {
  const id = subnetId(c);
  const key = Object.keys(NOTICES).find((k) => c.req.query(k) !== undefined);
  const host = c.req.query("host");
  const created = key === "created";
  const notice = host
    ? `Host ${host.slice(0, 60)} added.`
    : key && !created
    ? NOTICES[key]
    : undefined;
  return render(c, id, { notice, created });
}

const CASCADES = new Set(["orphan", "hosts", "all"]);

export async function POST(c: AppContext) {
  const id = subnetId(c);
  const { db } = c.get("deps");
  const form = await c.req.parseBody();
  const action = typeof form._action === "string" ? form._action : "";
  if (action === "update") {
    const problem = formIntervalProblem(c, form.scan_interval_s);
    if (problem) {
      const values: Record<string, string> = {};
      for (const [k, v] of Object.entries(form)) if (typeof v === "string") values[k] = v;
      return render(c, id, { edit: { values, errors: { scan_interval_s: problem } } }, 422);
    }
    const outcome = await updateSubnetFromForm(db, id, form, {
      ...await subnetWriteOptions(c.get("deps")),
    });
    if (outcome.ok) return c.redirect(`/subnets/${id}?updated=1`, 303);
    return render(c, id, { edit: { values: outcome.raw, errors: outcome.errors } }, outcome.status);
  }
  if (action === "schedule") {
    const s = await requireSubnet(db, id);
    const outcome = await updateSubnetFromForm(db, id, {
      ...subnetToForm(s),
      scan_enabled: "on",
      scan_interval_s: typeof form.scan_interval_s === "string" ? form.scan_interval_s : "",
    }, await subnetWriteOptions(c.get("deps")));
    if (outcome.ok) return c.redirect(`/subnets/${id}?scheduled=1`, 303);
    const message = Object.values(outcome.errors).map((m) => uiWords(m)).join(" ");
    return render(c, id, { created: true, scheduleError: message }, outcome.status);
  }
  if (action === "add_host") {
    await requireSubnet(db, id);
    const outcome = await createHostFromForm(db, form);
    if (outcome.ok) {
      const ip = outcome.value.ip;
      return c.redirect(
        `/subnets/${id}?host=${encodeURIComponent(ip)}#${hostAnchor(ip)}`,
        303,
      );
    }
    return render(c, id, { host: { values: outcome.raw, errors: outcome.errors } }, outcome.status);
  }
  if (action === "delete") {
    const choice = typeof form.cascade === "string" && CASCADES.has(form.cascade)
      ? form.cascade as DeleteCascade
      : undefined;
    const s = await requireSubnet(db, id);
    try {
      await deleteSubnet(db, id, choice);
    } catch (e) {
      if (!(e instanceof AppError) || e.status !== 409) throw e;
      return render(c, id, { deleteError: uiWords(e.message, e.code) }, 409);
    }
    return c.redirect(`/subnets?deleted=${encodeURIComponent(s.cidr)}`, 303);
  }
  throw new AppError(
    422,
    "unknown_action",
    `unknown form action ${JSON.stringify(action.slice(0, 40))}`,
  );
}
