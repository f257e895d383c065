// The stable JSON shape of an alert event (what receivers get and the history API returns).

export const EVENT_KINDS = [
  "host_down",
  "host_up",
  "host_new",
  "port_opened",
  "port_closed",
  "service_changed",
  "indicator_status",
  "scan_failing",
  "exporter_silent",
] as const;

export type EventKind = typeof EVENT_KINDS[number];
/** A "Send test" delivery carries kind "test"; it is never stored as an event. */
export type PayloadKind = EventKind | "test";

export const isEventKind = (s: string): s is EventKind =>
  (EVENT_KINDS as readonly string[]).includes(s);

export interface EventSubnet {
  id: number;
  cidr: string;
  name: string | null;
}

export interface EventHost {
  id: number;
  ip: string;
  /** The override, else the discovered name, else null. */
  hostname: string | null;
  tags: string[];
  /** Link to the host's page (absolute when ALERT_PUBLIC_URL is set). */
  url: string;
}

export interface EventRef {
  id: number;
  name: string | null;
}

/** Version 1 of the event shape; fields are only ever added. */
export interface AlertEvent {
  /** Event id (null for a test delivery). */
  id: number | null;
  kind: PayloadKind;
  /** ISO 8601 UTC. */
  ts: string;
  /** One line for humans. */
  summary: string;
  subnet: EventSubnet | null;
  host: EventHost | null;
  server: EventRef | null;
  organization: EventRef | null;
  /** Kind-specific fields (docs/alerts.md). */
  detail: Record<string, unknown>;
  /** Link to the most useful page (the host, else the events feed). */
  url: string;
  version: 1;
}

const name = (e: AlertEvent) =>
  e.host ? (e.host.hostname ? `${e.host.hostname} (${e.host.ip})` : e.host.ip) : null;

/** "1 missed check", "3 missed checks". */
export const misses = (n: unknown) =>
  `${Number(n ?? 1)} missed check${Number(n ?? 1) === 1 ? "" : "s"}`;

const duration = (s: unknown): string => {
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0) return "";
  if (n < 90) return `${Math.round(n)}s`;
  if (n < 5400) return `${Math.round(n / 60)}m`;
  if (n < 172800) return `${Math.round(n / 3600)}h`;
  return `${Math.round(n / 86400)}d`;
};

/** The human line for an event; `detail` holds the facts it is made of. */
export function summarize(e: Omit<AlertEvent, "summary">): string {
  const who = name(e as AlertEvent) ?? "";
  const d = e.detail;
  const port = `${d.proto ?? "tcp"}/${d.port ?? "?"}`;
  const where = e.subnet ? ` in ${e.subnet.name ? `${e.subnet.name} ` : ""}${e.subnet.cidr}` : "";
  switch (e.kind) {
    case "host_down":
      return `${who} is down${where} (${misses(d.misses)})`;
    case "host_up": {
      const dur = duration(d.down_for_s);
      return `${who} is back up${where}${dur ? ` after ${dur} down` : ""}`;
    }
    case "host_new":
      return `new device ${who}${where}`;
    case "port_opened":
      return `${port} opened on ${who}${d.service ? ` (${d.service})` : ""}`;
    case "port_closed":
      return `${port} closed on ${who}${d.service ? ` (${d.service})` : ""}`;
    case "service_changed":
      return `service on ${port} of ${who} changed`;
    case "indicator_status":
      return `${d.indicator ?? "indicator"} is ${d.status ?? "?"}${who ? ` on ${who}` : ""}`;
    case "scan_failing":
      return `${d.scan ?? "scan"} of ${d.target ?? "?"} failed ${d.failures ?? "?"} times in a row`;
    case "exporter_silent":
      return `NetFlow exporter ${d.exporter ?? "?"} silent for ${duration(d.silent_for_s)}`;
    case "test":
      return "test delivery from Pingfold";
  }
}
