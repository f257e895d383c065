// Text of the host drawer and host page (port chips, event lines, uptime, times); pure, so the server
// and the drawer island render the same words.
import { formatAge, formatLatency } from "./state_view.ts";

export interface PortLike {
  port: number;
  proto: string;
  service: string;
  product: string;
  version: string;
}

export interface EventLike {
  kind: string;
  ts: string;
  detail: Record<string, unknown>;
}

/** `22/ssh`, `8080/tcp` when nmap could not name it, `53/domain (udp)` off TCP. */
export function portLabel(p: PortLike): string {
  const base = `${p.port}/${p.service || p.proto}`;
  return p.service && p.proto !== "tcp" ? `${base} (${p.proto})` : base;
}

/** What version detection found (`OpenSSH 9.2p1`), or "" when it found nothing. */
export function portProduct(p: Pick<PortLike, "product" | "version">): string {
  return [p.product, p.version].map((s) => s.trim()).filter(Boolean).join(" ");
}

/** "99.7 %", "100 %", "0 %", "—" with no samples; never rounds a partial outage up to 100. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "—";
  if (ratio >= 1) return "100 %";
  if (ratio <= 0) return "0 %";
  // Floored, and with two decimals near 100, so 99.99 % never reads as 100 %.
  const pct = ratio * 100;
  return pct >= 99.9
    ? `${(Math.floor(pct * 100) / 100).toFixed(2)} %`
    : `${(Math.floor(pct * 10) / 10).toFixed(1)} %`;
}

/** "2026-01-20 12:34 UTC": the same on the server and in every browser's time zone. */
export function formatUtc(iso: string | null | undefined): string {
  if (!iso) return "—";
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return "—";
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** "5m ago", "just now", "never". */
export function timeAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return "never";
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return "never";
  const age = now - ms;
  return age < 5_000 ? "just now" : `${formatAge(age)} ago`;
}

const str = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

function eventPort(d: Record<string, unknown>): string {
  const port = num(d.port);
  if (port === null) return "a port";
  return portLabel({
    port,
    proto: str(d.proto) || "tcp",
    service: str(d.service),
    product: "",
    version: "",
  });
}

function serviceText(v: unknown): string {
  if (!v || typeof v !== "object") return "?";
  const s = v as Record<string, unknown>;
  return [str(s.service), str(s.product), str(s.version)].filter(Boolean).join(" ") || "?";
}

/** One line of the events timeline. Remote strings stay plain text; the caller escapes them. */
export function eventText(e: EventLike): string {
  const d = e.detail ?? {};
  const lasted = num(d.after_s);
  switch (e.kind) {
    case "up": {
      const latency = formatLatency(num(d.latency_ms));
      return `Came up${latency ? ` (${latency})` : ""}${
        lasted !== null ? ` after ${formatAge(lasted * 1000)} down` : ""
      }`;
    }
    case "down":
      return `Went down${lasted !== null ? ` after ${formatAge(lasted * 1000)} up` : ""}`;
    case "discovered":
      return `Discovered${str(d.method) ? ` by ${str(d.method)}` : ""}`;
    case "hostname_changed":
      return `Name changed from ${str(d.from) || "none"} to ${str(d.to) || "none"}${
        str(d.source) ? ` (${str(d.source)})` : ""
      }`;
    case "port_opened": {
      const product = portProduct({ product: str(d.product), version: str(d.version) });
      return `Port ${eventPort(d)} opened${product ? `: ${product}` : ""}`;
    }
    case "port_closed":
      return `Port ${eventPort(d)} closed`;
    case "service_changed":
      return `Port ${eventPort(d)} changed: ${serviceText(d.from)} → ${serviceText(d.to)}`;
    default:
      return e.kind;
  }
}

/** Tags as the edit field shows them: "prod; web". */
export function tagsToText(tags: readonly string[]): string {
  return tags.join("; ");
}

/** The edit field back into tags: split on ";" (the separator everywhere in Pingfold). */
export function textToTags(text: string): string[] {
  return text.split(";").map((t) => t.trim()).filter((t) => t !== "");
}
