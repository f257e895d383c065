// GET/POST /subnets/:id: one subnet's folded address view, next free address, add host, edit and delete.
import { scanEnableCheck } from "@/services/sweeps/mod.ts";
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { island } from "@/web/islands.tsx";
import { AppError, notFound } from "@/services/errors.ts";
import { strictId } from "@/services/input_rules.ts";
import {
  type AddressOrder,
  createHostFromForm,
  type DeleteCascade,
  deleteSubnet,
  listSubnets,
  loadSubnetAddresses,
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
import { SubnetForm } from "@/components/SubnetForm.tsx";
import { SubnetTable } from "@/components/SubnetTable.tsx";
import { UtilizationBar } from "@/components/UtilizationBar.tsx";
import { formatCount } from "@/shared/format_count.ts";
import LiveStatus from "@/islands/LiveStatus.tsx";
import HostDrawer from "@/islands/HostDrawer.tsx";
import KeyboardNav from "@/islands/KeyboardNav.tsx";

const LiveStatusIsland = island("LiveStatus", LiveStatus);
const HostDrawerIsland = island("HostDrawer", HostDrawer);
const KeyboardNavIsland = island("KeyboardNav", KeyboardNav);

/** Rows per page: a /16 with 5,000 hosts (about 10,000 rows with its gaps) fits on one page. */
export const PAGE_ROWS = 12_000;

interface PageState {
  notice?: string;
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
  return p.message ? <span id={p.id} class="field-error text-sm">{p.message}</span> : null;
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

function Header(p: { s: SubnetRecord; ancestors: SubnetRecord[] }) {
  const s = p.s;
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
        {s.name && <span class="font-normal">· {s.name}</span>}
      </h1>
      {s.description && <p>{s.description}</p>}
      <p class="text-sm muted flex flex-wrap gap-3">
        {s.vlan !== null && <span>VLAN {s.vlan}</span>}
        {s.location && <span>{s.location}</span>}
        <span>{s.scan_enabled ? `Scanned every ${s.scan_interval_s}s` : "Not scanned"}</span>
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
    <div class="flex flex-col gap-2">
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

async function render(c: AppContext, id: number, state: PageState = {}, status = 200) {
  const { db, kv, now } = c.get("deps");
  const s = await requireSubnet(db, id);
  const order: AddressOrder = c.req.query("order") === "alive_first" ? "alive_first" : "address";
  const offsetParam = Number(c.req.query("offset") ?? 0);
  const offset = Number.isSafeInteger(offsetParam) && offsetParam > 0 ? offsetParam : 0;
  const [view, related] = await Promise.all([
    loadSubnetAddresses(db, kv, s, { order, offset, limit: PAGE_ROWS }),
    Promise.all([
      listSubnets(db, { containing: s.cidr }),
      listSubnets(db, { within: s.cidr }),
    ]),
  ]);
  const ancestors = related[0].filter((a) => a.id !== s.id);
  const childRecords = related[1].filter((x) => x.parent_id === s.id);
  const children: SubnetSummary[] = childRecords.length
    ? (await summarizeSubnets(db, kv, childRecords)).map((x) => ({ ...x, depth: 0 }))
    : [];
  const contents = canEditRole(c) ? await subnetContents(db, s.id) : { children: 0, hosts: 0 };
  const canEdit = canEditRole(c);
  const pageLink = (o: number) => `/subnets/${s.id}?order=${order}&offset=${o}`;
  return page(
    c,
    s.cidr,
    <div class="flex flex-col gap-4">
      <Header s={s} ancestors={ancestors} />
      {state.notice && <p class="notice" role="status" data-testid="notice">{state.notice}</p>}
      <section class="card flex flex-col gap-3" aria-label="Utilization">
        <Usage view={view} />
        <LiveStatusIsland subnetId={s.id} alive={Number(view.utilization.alive)} />
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
        <div class="overflow-x-auto">
          <AddressRows subnetId={s.id} rows={view.rows} now={now()} canClaim={canEdit} />
        </div>
        {(view.offset > 0 || view.next_offset !== null) && (
          <nav aria-label="Pages" class="flex gap-2 mt-2">
            {view.offset > 0 && (
              <a class="btn btn-quiet" href={pageLink(Math.max(0, view.offset - PAGE_ROWS))}>
                Previous rows
              </a>
            )}
            <span class="muted">
              Rows {view.offset + 1}–{view.offset + view.rows.length} of {view.total_rows}
            </span>
            {view.next_offset !== null && (
              <a class="btn btn-quiet" href={pageLink(view.next_offset)}>Next rows</a>
            )}
          </nav>
        )}
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
    </div>,
    status,
  );
}

const NOTICES: Record<string, string> = {
  created: "Subnet added.",
  updated: "Changes saved.",
};

export function GET(c: AppContext) {
  const id = subnetId(c);
  const key = Object.keys(NOTICES).find((k) => c.req.query(k) !== undefined);
  const host = c.req.query("host");
  const notice = host ? `Host ${host.slice(0, 60)} added.` : key ? NOTICES[key] : undefined;
  return render(c, id, { notice });
}

const CASCADES = new Set(["orphan", "hosts", "all"]);

export async function POST(c: AppContext) {
  const id = subnetId(c);
  const { db } = c.get("deps");
  const form = await c.req.parseBody();
  const action = typeof form._action === "string" ? form._action : "";
  if (action === "update") {
    const outcome = await updateSubnetFromForm(db, id, form, {
      checkScan: await scanEnableCheck(c.get("deps")),
    });
    if (outcome.ok) return c.redirect(`/subnets/${id}?updated=1`, 303);
    return render(c, id, { edit: { values: outcome.raw, errors: outcome.errors } }, outcome.status);
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
      return render(c, id, { deleteError: e.message }, 409);
    }
    return c.redirect(`/subnets?deleted=${encodeURIComponent(s.cidr)}`, 303);
  }
  throw new AppError(
    422,
    "unknown_action",
    `unknown form action ${JSON.stringify(action.slice(0, 40))}`,
  );
}
