// Everything about one host (state, uptime and sparkline, ports, facts, edit form, events): the body
// of the host page and of the drawer island, which both render it from the same JSON-able data.
import type { ComponentType, JSX } from "preact";
import type { HostInventoryView } from "@/services/operations/mod.ts";
import type { ActionRunnerProps } from "../islands/ActionRunner.tsx";
import { HostInventory } from "./HostInventory.tsx";
import type { HostDetail as HostDetailData } from "@/services/dashboard/mod.ts";
import Sparkline, { type SparklineProps } from "../islands/Sparkline.tsx";
import HostEditForm, { type HostEditFormProps } from "../islands/HostEditForm.tsx";
import PortScanButton, { type PortScanButtonProps } from "../islands/PortScanButton.tsx";
import SnmpSettingsForm, { type SnmpSettingsFormProps } from "../islands/SnmpSettingsForm.tsx";
import PingButton, { type PingButtonProps } from "../islands/PingButton.tsx";
import HostManage, { type HostManageProps } from "../islands/HostManage.tsx";
import { lastSeenText, latencyText } from "../shared/live_cells.ts";
import { StatusPill } from "./StatusPill.tsx";
import { HostEvents } from "./HostEvents.tsx";
import { HostTraffic } from "./HostTraffic.tsx";
import { HostTimeline } from "./HostTimeline.tsx";
import type { HostTraffic as HostTrafficData } from "@/services/netflow/mod.ts";
import type { TimelinePage } from "@/services/dashboard/mod.ts";
import { HostPorts } from "./HostPorts.tsx";
import { HostUptime } from "./HostUptime.tsx";
import { formatUtc, tagsToText, timeAgo } from "../shared/host_detail_format.ts";
import { HostNameSources, type SnmpNameView } from "./HostNameSources.tsx";

/** What the host page renders and the drawer fetches (`GET /hosts/{id}?format=json`). */
export interface HostView {
  detail: HostDetailData;
  subnet: { id: number; cidr: string; name: string | null } | null;
  /** Server clock (ms) the view was made at, so "5m ago" reads the same on both sides. */
  now: number;
  can_edit: boolean;
  /** Server, organization, indicators and runnable actions (inventory and operations). */
  inventory?: HostInventoryView;
  /** Every name source and the winner, with the last SNMP read. */
  names: SnmpNameView;
  /** The host's story: NetFlow traffic and its timeline. */
  story?: { traffic: HostTrafficData; timeline: TimelinePage };
}

/** The interactive parts: plain components in the drawer, island-wrapped on the server page. */
export interface HostDetailParts {
  Sparkline: ComponentType<SparklineProps>;
  EditForm: ComponentType<HostEditFormProps>;
  ScanButton: ComponentType<PortScanButtonProps>;
  ActionRunner: ComponentType<ActionRunnerProps>;
  SnmpForm: ComponentType<SnmpSettingsFormProps>;
  Ping: ComponentType<PingButtonProps>;
  Manage: ComponentType<HostManageProps>;
}

export interface HostDetailProps {
  view: HostView;
  /** 1 on the full page, 2 in the drawer (its dialog title). */
  level: 1 | 2;
  headingId: string;
  csrf: string;
  parts?: Partial<HostDetailParts>;
  /** A rejected no-JavaScript save: what was typed and why it failed. */
  edit?: { values: HostEditFormProps["values"]; errors: Record<string, string> };
  saved?: boolean;
  /** Drawer: reload the data after a save or a port scan (with the saved host, when there is one). */
  onChanged?: (host?: Record<string, unknown>) => void;
  /** Drawer: the host was deleted. */
  onDeleted?: (id: number) => void;
  /** Drawer: the edit form reloads the page after saving (full page). */
  reloadOnSave?: boolean;
}

/**
 * The name a person sees: their override, else the hostname (reverse DNS, typed, or SNMP's sysName
 * when neither exists). Pages use view.names.names.shown (shared/host_name.ts) instead.
 */
export function hostDisplayName(h: { hostname: string | null; hostname_override: string | null }) {
  return h.hostname_override ?? h.hostname ?? null;
}

function Fact(p: { label: string; children: JSX.Element | string | null; mono?: boolean }) {
  return (
    <div class="hd-fact">
      <dt>{p.label}</dt>
      <dd class={p.mono ? "mono" : undefined}>{p.children ?? <span class="muted">—</span>}</dd>
    </div>
  );
}

function When(p: { iso: string | null; now: number }) {
  if (!p.iso) return <span class="muted">never</span>;
  return (
    <time dateTime={p.iso} title={formatUtc(p.iso)}>
      {timeAgo(p.iso, p.now)} <span class="muted">· {formatUtc(p.iso)}</span>
    </time>
  );
}

export function HostDetail(p: HostDetailProps) {
  const { detail, subnet, now } = p.view;
  const h = detail.host;
  const s = detail.state;
  const SparklinePart = p.parts?.Sparkline ?? Sparkline;
  const EditPart = p.parts?.EditForm ?? HostEditForm;
  const ScanPart = p.parts?.ScanButton ?? PortScanButton;
  const SnmpPart = p.parts?.SnmpForm ?? SnmpSettingsForm;
  const PingPart = p.parts?.Ping ?? PingButton;
  const ManagePart = p.parts?.Manage ?? HostManage;
  // The name in force by the shared rule (shared/host_name.ts), so page, drawer and form agree.
  const name = p.view.names.names.shown;
  const Title = p.level === 1 ? "h1" : "h2";
  const Sub = p.level === 1 ? "h2" : "h3";
  const sid = (part: string) => `${p.headingId}-${part}`;

  return (
    <article class="host-detail" data-host-id={h.id} data-status={s.status}>
      <header class="hd-head">
        <Title id={p.headingId} class="hd-title">
          {name ?? <span class="mono">{h.ip}</span>}
        </Title>
        <p class="hd-sub">
          {name && <span class="mono" data-testid="hd-ip">{h.ip}</span>}
          <span data-testid="hd-status">
            <StatusPill
              ip={h.ip}
              state={s.status}
              latencyMs={s.latency_ms}
              since={s.since}
              lastSeen={s.status === "unknown" ? null : s.last_seen}
            />
          </span>
          {subnet && (
            <a class="link mono" href={`/subnets/${subnet.id}#ip-${h.ip.replace(/[.:]/g, "-")}`}>
              {subnet.cidr}
            </a>
          )}
          {p.view.can_edit && <PingPart hostId={h.id} ip={h.ip} />}
        </p>
        {h.description && <p class="hd-desc">{h.description}</p>}
        {h.tags.length > 0 && (
          <ul class="hd-chips" aria-label="Tags">
            {h.tags.map((t) => <li key={t} class="chip">{t}</li>)}
          </ul>
        )}
      </header>

      <div class="hd-grid">
        <section class="hd-section" aria-labelledby={sid("avail")}>
          <Sub id={sid("avail")} class="hd-h">Availability</Sub>
          <HostUptime h24={detail.uptime.h24} d7={detail.uptime.d7} />
          <SparklinePart
            points={detail.sparkline}
            label="Latency and availability, last 24 hours"
            samples={detail.uptime.h24.samples}
          />
        </section>

        <section class="hd-section" aria-labelledby={sid("ports")}>
          <Sub id={sid("ports")} class="hd-h">Open ports</Sub>
          <HostPorts ports={detail.ports} lastScan={detail.last_scan} now={now} />
          {p.view.can_edit && (
            <ScanPart
              hostId={h.id}
              {...(p.onChanged ? { onDone: p.onChanged } : { reloadOnDone: true })}
            />
          )}
        </section>

        <section class="hd-section" aria-labelledby={sid("facts")}>
          <Sub id={sid("facts")} class="hd-h">Details</Sub>
          <dl class="hd-facts">
            <Fact label="Address" mono>{h.ip}</Fact>
            <Fact label="Status since">
              {s.since ? <When iso={s.since} now={now} /> : null}
            </Fact>
            <Fact label="Latency">
              <span data-live="latency" data-live-ip={h.ip}>
                {latencyText(s.status === "up", s.latency_ms)}
              </span>
            </Fact>
            <Fact label="First seen">
              <When iso={h.first_seen_at} now={now} />
            </Fact>
            <Fact label="Last seen">
              <span data-live="last-seen" data-live-ip={h.ip}>
                {lastSeenText(s.last_seen ?? h.last_seen_at, now)}
              </span>
            </Fact>
            <Fact label="MAC" mono>{h.mac}</Fact>
            <Fact label="Vendor">{h.vendor}</Fact>
            <Fact label="Checked by">{s.method}</Fact>
          </dl>
          <HostNameSources view={p.view.names} now={now} headingId={sid("names")} />
          {h.notes && (
            <div class="hd-notes">
              <p class="hd-label">Notes</p>
              <p class="hd-pre">{h.notes}</p>
            </div>
          )}
        </section>

        {p.view.inventory && (
          <HostInventory
            hostId={h.id}
            inv={p.view.inventory}
            Sub={Sub}
            idPrefix={p.headingId}
            {...(p.parts?.ActionRunner ? { Runner: p.parts.ActionRunner } : {})}
          />
        )}

        {p.view.can_edit && (
          <section class="hd-section" aria-labelledby={sid("edit")}>
            <Sub id={sid("edit")} class="hd-h">Edit</Sub>
            <EditPart
              hostId={h.id}
              names={p.view.names.names}
              csrf={p.csrf}
              values={p.edit?.values ?? {
                hostname_override: h.hostname_override ?? "",
                description: h.description ?? "",
                tags: tagsToText(h.tags),
                notes: h.notes ?? "",
              }}
              {...(p.edit ? { errors: p.edit.errors } : {})}
              {...(p.saved ? { saved: true } : {})}
              {...(p.onChanged ? { onSaved: p.onChanged } : {})}
              {...(p.reloadOnSave ? { reloadOnSave: true } : {})}
            />
          </section>
        )}

        {p.view.can_edit && (
          <section class="hd-section" aria-labelledby={sid("manage")}>
            <Sub id={sid("manage")} class="hd-h">Manage</Sub>
            <ManagePart
              hostId={h.id}
              ip={h.ip}
              mac={h.mac}
              subnetId={h.subnet_id}
              {...(p.onChanged ? {} : { reloadOnSave: true })}
              {...(p.onChanged ? { onSaved: p.onChanged } : {})}
              {...(p.onDeleted ? { onDeleted: p.onDeleted } : {})}
            />
          </section>
        )}

        {p.view.can_edit && (
          <section class="hd-section" aria-labelledby={sid("snmp")}>
            <Sub id={sid("snmp")} class="hd-h">SNMP</Sub>
            <SnmpPart
              hostId={h.id}
              settings={p.view.names.settings}
              effectiveFrom={p.view.names.effectiveFrom}
              {...(p.onChanged ? { onDone: p.onChanged } : { reloadOnDone: true })}
            />
          </section>
        )}

        <section class="hd-section hd-wide" aria-labelledby={sid("events")}>
          <Sub id={sid("events")} class="hd-h">Events</Sub>
          <HostEvents events={detail.events} now={now} />
        </section>

        {p.view.story && (
          <>
            <section class="hd-section hd-wide" aria-labelledby={sid("traffic")}>
              <Sub id={sid("traffic")} class="hd-h">Traffic</Sub>
              <HostTraffic traffic={p.view.story.traffic} />
            </section>
            <section class="hd-section hd-wide" id="timeline" aria-labelledby={sid("timeline")}>
              <Sub id={sid("timeline")} class="hd-h">Timeline</Sub>
              <HostTimeline hostId={h.id} page={p.view.story.timeline} now={now} />
            </section>
          </>
        )}
      </div>
    </article>
  );
}
