// The API's error texts in the UI's words. Services word their errors for API clients (field
// names, query flags, ids, seconds); a person filling a form knows the labels, the addresses and
// minutes instead. Pure: pages (SSR) and islands run the same mapping, at the UI layer only.
import { intervalWords } from "./scan_interval.ts";

/** API field names → the labels the forms show. */
const FIELD_WORDS: Record<string, string> = {
  scan_interval_s: "scan interval",
  scan_enabled: "scanning",
  hostname_override: "hostname",
  hostname: "hostname",
  ptr_enabled: "reverse DNS",
  allow_orphan: "allow hosts outside every subnet",
  timeout_s: "time limit",
  interval_s: "interval",
  subnet_id: "subnet",
  parent_id: "parent subnet",
  mac: "MAC address",
  cidr: "network (CIDR)",
};

/** Whole sentences for codes whose API text names API-only switches. */
const BY_CODE: Record<string, (message: string) => string> = {
  no_subnet: (m) => {
    const ip = /^(\S+) is not inside any subnet/.exec(m)?.[1];
    return `${ip ?? "This address"} is not inside any subnet: add a subnet that contains it first.`;
  },
};

/** Seconds as the forms say them: "850 s" → "14 min 10 s", "3600 s" → "1 h"; under a minute stays. */
function secondsWords(text: string): string {
  return text.replace(/\b(\d{2,7}) ?s\b/g, (all, n: string) => {
    const s = Number(n);
    if (s < 60) return all;
    // "14 min 10 s": exact, in the units the forms use.
    return s % 60 === 0 ? intervalWords(s) : `${intervalWords(s - (s % 60))} ${s % 60} s`;
  });
}

/**
 * One error message in the UI's words: API-only switches dropped ("(allow_orphan=true in the
 * API)"), ids replaced by what the page shows ("host 2" → "this host", "(id 7)" dropped), seconds
 * in minutes, field names as their labels.
 */
export function uiWords(message: string, code?: string): string {
  let m = (code && BY_CODE[code]?.(message)) ?? message;
  // A parenthesis or clause that only tells API clients which flag to send.
  m = m.replace(/\s*\([^()]*\b[a-z_]+=(?:true|false|\d+)\b[^()]*\)/g, "")
    .replace(/[;,]?\s*or allow (?:it|them) without one\b/g, "")
    .replace(/\s*\(id \d+\)/g, "")
    // "host 2" (an id), not "host 198.51.100.7" (an address).
    .replace(
      /\b([Hh])ost \d+(?![\d:]|\.\d)/g,
      (_a, h: string) => (h === "H" ? "This host" : "this host"),
    )
    .replace(/\brun \d+: /g, "");
  m = secondsWords(m);
  m = m.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (w) => FIELD_WORDS[w] ?? w);
  // Case is left as the message has it: "vlan must be 1-4094" reads fine next to its field.
  return m;
}

/** The error of an API JSON body ({error: {code, message}}) in UI words, or the fallback. */
export function uiErrorOf(body: unknown, fallback: string): string {
  const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof err?.message === "string"
    ? uiWords(err.message, typeof err.code === "string" ? err.code : undefined)
    : fallback;
}
