// GET /alerts: targets (with Send test and their delivery log), rules and silences, with forms.
import type { AppContext } from "@/web/env.ts";
import { PostButton } from "@/components/PostButton.tsx";
import { Csrf } from "@/components/CsrfField.tsx";
import { Field, SelectField } from "@/components/FormFields.tsx";
import { page } from "@/web/render.tsx";
import {
  type Delivery,
  EVENT_KINDS,
  listDeliveries,
  listRules,
  listSilences,
  listTargets,
  redactTarget,
  type Rule,
  type Silence,
  SILENCE_KINDS,
  type Target,
  TARGET_KINDS,
  targetHealth,
} from "@/services/alerts/mod.ts";
import { DataTable } from "@/components/DataTable.tsx";

export interface AlertsPageState {
  error?: string;
  notice?: string;
  /** The target whose delivery log is shown. */
  targetId?: number;
  newSecret?: { target: string; secret: string };
}

const when = (iso: string | null) => (iso ? iso.slice(0, 19).replace("T", " ") : "—");

function DeliveryStatus(p: { d: Delivery }) {
  const d = p.d;
  const tone = d.status === "succeeded"
    ? "pill-up"
    : d.status === "failed"
    ? "pill-down"
    : "pill-unknown";
  const label = d.status === "queued" && d.attempts > 0 ? "retrying" : d.status;
  return <span class={`pill ${tone}`} data-testid="delivery-status">{label}</span>;
}

function Targets(p: {
  targets: Target[];
  health: Awaited<ReturnType<typeof targetHealth>>;
  csrf: string;
  admin: boolean;
  canEdit: boolean;
}) {
  return (
    <section class="card" aria-labelledby="targets-title">
      <h2 id="targets-title" class="text-lg font-bold mb-2">Targets</h2>
      {p.targets.length === 0
        ? <p class="muted mb-2">No targets yet: add one to receive alerts.</p>
        : (
          <DataTable
            label="Alert targets"
            testId="targets"
            columns={[
              "Name",
              "Kind",
              { label: "URL", class: "hide-sm" },
              "Last delivery",
              "Sent · queued · failed",
            ]}
            actions
          >
            {p.targets.map((t) => {
              const h = p.health.get(t.id);
              return (
                <tr data-target-id={t.id}>
                  <td>
                    <a class="link" href={`/alerts?target=${t.id}#deliveries`}>{t.name}</a>
                    {!t.enabled && <span class="muted">(disabled)</span>}
                  </td>
                  <td>{t.kind}</td>
                  <td class="hide-sm mono text-sm break-all">{t.url}</td>
                  <td>
                    {h?.last
                      ? (
                        <span title={h.last.last_error ?? ""}>
                          <DeliveryStatus d={h.last} /> {when(h.last.updated_at)}
                        </span>
                      )
                      : <span class="muted">never</span>}
                  </td>
                  <td class="tabular-nums">
                    {h ? `${h.succeeded} · ${h.queued} · ${h.failed}` : "0 · 0 · 0"}
                  </td>
                  <td class="flex gap-1">
                    {p.canEdit && (
                      <PostButton
                        csrf={p.csrf}
                        action={`/alerts/targets/${t.id}/test`}
                        label="Send test"
                      />
                    )}
                    {p.admin && (
                      <PostButton
                        csrf={p.csrf}
                        action={`/alerts/targets/${t.id}/delete`}
                        label="Delete"
                      />
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      {p.admin && (
        <form method="post" action="/alerts/targets" class="flex flex-wrap gap-2 items-end mt-3">
          <Csrf token={p.csrf} />
          <Field
            label="Name"
            id="t-name"
            name="name"
            required
            maxLength={100}
            placeholder="ops webhook"
          />
          <SelectField label="Kind" id="t-kind" name="kind" options={TARGET_KINDS} />
          <Field
            label="URL (or e-mail addresses)"
            id="t-url"
            labelClass="flex-1 min-w-64"
            name="url"
            required
            maxLength={2000}
            placeholder="https://hooks.example.net/pingfold"
          />
          <Field
            label="Secret (empty: generate)"
            id="t-secret"
            name="secret"
            type="password"
            autocomplete="new-password"
          />
          <button class="btn" type="submit">Add target</button>
        </form>
      )}
    </section>
  );
}

function Rules(p: { rules: Rule[]; targets: Target[]; csrf: string; canEdit: boolean }) {
  const names = new Map(p.targets.map((t) => [t.id, t.name]));
  return (
    <section class="card" aria-labelledby="rules-title">
      <h2 id="rules-title" class="text-lg font-bold mb-2">Rules</h2>
      {p.rules.length === 0
        ? <p class="muted mb-2">No rules yet: events are recorded in the feed, nothing is sent.</p>
        : (
          <DataTable
            label="Alert rules"
            testId="rules"
            columns={["Name", "Events", "Filters", "Down after", "Targets"]}
            actions
          >
            {p.rules.map((r) => (
              <tr data-rule-id={r.id}>
                <td>{r.name}{!r.enabled && <span class="muted">(disabled)</span>}</td>
                <td class="text-sm">{r.events.join(", ")}</td>
                <td class="text-sm">
                  {[
                    r.subnet_id && `subnet ${r.subnet_id}`,
                    r.tag && `tag ${r.tag}`,
                    r.host_id && `host ${r.host_id}`,
                    r.server_id && `server ${r.server_id}`,
                  ].filter(Boolean).join(", ") || "everything"}
                </td>
                <td>
                  {r.down_after} misses
                  {r.flap_window_s > 0 && `, 1 pair / ${Math.round(r.flap_window_s / 60)} min`}
                </td>
                <td>{r.target_ids.map((id) => names.get(id) ?? `#${id}`).join(", ")}</td>
                <td>
                  {p.canEdit && (
                    <PostButton
                      csrf={p.csrf}
                      action={`/alerts/rules/${r.id}/delete`}
                      label="Delete"
                    />
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      {p.canEdit && p.targets.length > 0 && (
        <form method="post" action="/alerts/rules" class="flex flex-col gap-2 mt-3">
          <Csrf token={p.csrf} />
          <div class="flex flex-wrap gap-2 items-end">
            <Field
              label="Name"
              id="r-name"
              name="name"
              required
              maxLength={100}
              placeholder="servers down"
            />
            <Field
              label="Subnet id"
              id="r-subnet-id"
              name="subnet_id"
              inputMode="numeric"
              size={6}
            />
            <Field label="Tag" id="r-tag" name="tag" maxLength={64} size={10} />
            <Field label="Host id" id="r-host-id" name="host_id" inputMode="numeric" size={6} />
            <Field
              label="Down after (misses)"
              id="r-down-after"
              name="down_after"
              type="number"
              min={1}
              max={100}
              value="2"
            />
            <Field
              label="Flap window (s)"
              id="r-flap-window-s"
              name="flap_window_s"
              type="number"
              min={0}
              value="900"
            />
          </div>
          <fieldset class="flex flex-wrap gap-3">
            <legend class="text-sm">Events</legend>
            {EVENT_KINDS.map((k) => (
              <label class="text-sm">
                <input
                  type="checkbox"
                  name="events"
                  value={k}
                  checked={k === "host_down" || k === "host_up"}
                />{" "}
                {k}
              </label>
            ))}
          </fieldset>
          <fieldset class="flex flex-wrap gap-3">
            <legend class="text-sm">Send to</legend>
            {p.targets.map((t) => (
              <label class="text-sm">
                <input type="checkbox" name="target_ids" value={String(t.id)} /> {t.name}
              </label>
            ))}
          </fieldset>
          <div>
            <button class="btn" type="submit">Add rule</button>
          </div>
        </form>
      )}
    </section>
  );
}

function Silences(p: { silences: Silence[]; csrf: string; canEdit: boolean }) {
  return (
    <section class="card" aria-labelledby="silences-title">
      <h2 id="silences-title" class="text-lg font-bold mb-2">Mutes, maintenance and quiet hours</h2>
      <p class="muted text-sm mb-2">
        Covered events are still recorded in the feed; nothing is sent.
      </p>
      {p.silences.length > 0 && (
        <DataTable
          label="Silences"
          testId="silences"
          columns={["Kind", "For", "When", "Reason"]}
          actions
        >
          {p.silences.map((s) => (
            <tr>
              <td>{s.kind}</td>
              <td>
                {s.host_id
                  ? `host ${s.host_id}`
                  : s.subnet_id
                  ? `subnet ${s.subnet_id}`
                  : s.tag
                  ? `tag ${s.tag}`
                  : "everything"}
              </td>
              <td class="text-sm">
                {s.kind === "quiet"
                  ? `daily ${s.daily_from}–${s.daily_to} ${s.time_zone}`
                  : `${when(s.starts_at)} → ${when(s.ends_at)} UTC`}
              </td>
              <td>{s.reason}</td>
              <td>
                {p.canEdit && (
                  <PostButton
                    csrf={p.csrf}
                    action={`/alerts/silences/${s.id}/delete`}
                    label="End"
                  />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {p.canEdit && (
        <form method="post" action="/alerts/silences" class="flex flex-wrap gap-2 items-end mt-3">
          <Csrf token={p.csrf} />
          <SelectField label="Kind" id="s-kind" name="kind" options={SILENCE_KINDS} />
          <Field label="Host id" id="s-host-id" name="host_id" inputMode="numeric" size={6} />
          <Field label="Subnet id" id="s-subnet-id" name="subnet_id" inputMode="numeric" size={6} />
          <Field label="Tag" id="s-tag" name="tag" maxLength={64} size={10} />
          <Field label="From (UTC)" id="s-starts-at" name="starts_at" type="datetime-local" />
          <Field label="Until (UTC)" id="s-ends-at" name="ends_at" type="datetime-local" />
          <Field label="Daily from" id="s-daily-from" name="daily_from" type="time" />
          <Field label="Daily to" id="s-daily-to" name="daily_to" type="time" />
          <Field
            label="Time zone"
            id="s-time-zone"
            name="time_zone"
            value="UTC"
            maxLength={64}
            size={12}
          />
          <Field label="Reason" id="s-reason" name="reason" maxLength={500} />
          <button class="btn" type="submit">Add</button>
        </form>
      )}
    </section>
  );
}

function DeliveryLog(p: { deliveries: Delivery[]; target: Target | null }) {
  return (
    <section class="card" id="deliveries" aria-labelledby="deliveries-title">
      <h2 id="deliveries-title" class="text-lg font-bold mb-2">
        Delivery log{p.target ? ` · ${p.target.name}` : ""}
      </h2>
      {p.deliveries.length === 0
        ? <p class="muted" data-testid="deliveries-empty">No deliveries yet.</p>
        : (
          <DataTable
            label="Deliveries"
            testId="deliveries"
            columns={[
              "Queued (UTC)",
              "Event",
              "Status",
              "Attempts",
              "HTTP",
              "Latency",
              "Last error",
            ]}
          >
            {p.deliveries.map((d) => (
              <tr data-delivery-id={d.id} data-status={d.status}>
                <td class="mono text-sm">{when(d.created_at)}</td>
                <td>{d.kind}</td>
                <td>
                  <DeliveryStatus d={d} />
                </td>
                <td class="tabular-nums">{d.attempts} / {d.max_attempts}</td>
                <td>{d.last_status ?? "—"}</td>
                <td class="tabular-nums">
                  {d.latency_ms === null ? "—" : `${d.latency_ms} ms`}
                </td>
                <td class="text-sm break-all">{d.last_error ?? ""}</td>
              </tr>
            ))}
          </DataTable>
        )}
    </section>
  );
}

export async function renderAlerts(c: AppContext, state: AlertsPageState = {}, status = 200) {
  const deps = c.get("deps");
  const user = c.get("user");
  const csrf = c.get("csrfToken") ?? "";
  const [targets, rules, silences, health] = await Promise.all([
    listTargets(deps.db),
    listRules(deps.db),
    listSilences(deps.db, SILENCE_KINDS, deps.now()),
    targetHealth(deps.db),
  ]);
  const target = targets.find((t) => t.id === state.targetId) ?? null;
  const deliveries = await listDeliveries(deps.db, { targetId: target?.id, limit: 50 });
  const admin = user?.role === "admin";
  const canEdit = user?.role === "admin" || user?.role === "editor";
  return page(
    c,
    "Alerts",
    <div class="flex flex-col gap-4">
      <div class="flex flex-wrap items-baseline gap-4">
        <h1 class="text-2xl font-bold">Alerts</h1>
        <p class="muted">
          Rules pick events; targets receive them, signed and retried.{" "}
          <a class="link" href="/events">Events feed</a>
        </p>
      </div>
      {state.error && (
        <p class="notice notice-error" role="alert" data-testid="alerts-error">{state.error}</p>
      )}
      {state.notice && (
        <p class="notice" role="status" data-testid="alerts-notice">{state.notice}</p>
      )}
      {state.newSecret && (
        <p class="notice" role="status">
          Secret of {state.newSecret.target} (shown once, copy it now):{" "}
          <code class="mono" data-testid="new-secret">{state.newSecret.secret}</code>
        </p>
      )}
      <Targets
        targets={targets.map((t) => redactTarget(t, admin))}
        health={health}
        csrf={csrf}
        admin={admin}
        canEdit={canEdit}
      />
      <DeliveryLog deliveries={deliveries} target={target} />
      <Rules rules={rules} targets={targets} csrf={csrf} canEdit={canEdit} />
      <Silences silences={silences} csrf={csrf} canEdit={canEdit} />
    </div>,
    status,
  );
}

export function GET(c: AppContext) {
  const t = Number(c.req.query("target"));
  return renderAlerts(c, { targetId: Number.isSafeInteger(t) && t > 0 ? t : undefined });
}
