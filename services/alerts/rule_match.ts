// Pure decisions: does a rule select an event, and does a silence (mute, maintenance, quiet hours)
// cover it at a given time.
import { cidrContains, parseCidr, tryParseIp } from "@/services/ipam/mod.ts";
import type { EventKind } from "./event_shape.ts";
import type { ActiveRule } from "./rules_repo.ts";
import type { ActiveSilence } from "./silences_repo.ts";

/** What filters look at in an event. */
export interface MatchSubject {
  kind: EventKind;
  host: { id: number; ip: string; tags: readonly string[] } | null;
  subnet: { id: number; cidr: string; tags: readonly string[] } | null;
  server_id: number | null;
}

/** `cidr` (a subnet filter) contains the subject's host, or is/contains its subnet. */
function within(cidr: string, subnetId: number, s: MatchSubject): boolean {
  if (s.subnet?.id === subnetId) return true;
  const range = parseCidr(cidr);
  if (s.host) {
    const ip = tryParseIp(s.host.ip);
    return ip !== null && cidrContains(range, ip);
  }
  if (s.subnet) {
    const inner = parseCidr(s.subnet.cidr);
    return inner.family === range.family && inner.first >= range.first &&
      inner.last <= range.last;
  }
  return false;
}

const tagged = (tag: string, s: MatchSubject) =>
  (s.host?.tags.includes(tag) ?? false) || (s.subnet?.tags.includes(tag) ?? false);

/** Every filter the rule sets must hold (AND); unset filters match anything. */
export function ruleSelects(rule: ActiveRule, s: MatchSubject): boolean {
  if (!rule.enabled || !rule.events.includes(s.kind)) return false;
  if (rule.host_id !== null && s.host?.id !== rule.host_id) return false;
  if (rule.server_id !== null && s.server_id !== rule.server_id) return false;
  if (rule.tag !== null && !tagged(rule.tag, s)) return false;
  if (rule.subnet_id !== null) {
    if (!rule.subnet_cidr || !within(rule.subnet_cidr, rule.subnet_id, s)) return false;
  }
  return true;
}

/** Minutes after local midnight of `now` in `timeZone`. */
export function localMinutes(now: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(now));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get("hour") * 60 + get("minute");
}

function inWindow(s: ActiveSilence, now: number): boolean {
  if (s.startsMs !== null && now < s.startsMs) return false;
  if (s.endsMs !== null && now >= s.endsMs) return false;
  if (s.kind !== "quiet") return true;
  if (s.fromMin === null || s.toMin === null) return false;
  const m = localMinutes(now, s.time_zone);
  return s.fromMin < s.toMin ? m >= s.fromMin && m < s.toMin : m >= s.fromMin || m < s.toMin;
}

function covers(s: ActiveSilence, subject: MatchSubject): boolean {
  if (s.host_id !== null) return subject.host?.id === s.host_id;
  if (s.tag !== null) return tagged(s.tag, subject);
  if (s.subnet_id !== null) {
    return s.subnet_cidr !== null && within(s.subnet_cidr, s.subnet_id, subject);
  }
  return true;
}

/** The first silence covering the subject at `now`, or null. */
export function silencedBy(
  silences: readonly ActiveSilence[],
  subject: MatchSubject,
  now: number,
): ActiveSilence | null {
  return silences.find((s) => inWindow(s, now) && covers(s, subject)) ?? null;
}
