// What the one-click host actions (ping, port scan, delete) say when they end: plain words, never
// the API's field names or ids. Pure, so islands and their unit test share it.
import { uiWords } from "./ui_words.ts";
import { formatLatency } from "./state_view.ts";

/** The JSON error body of the API: `{error:{code,message,details}}`. */
export interface ApiErrorBody {
  error?: { code?: string; message?: string; details?: Record<string, unknown> };
}

/** "Answered in 0.4 ms." / "No answer." from a ping task's result and the host's new state. */
export function pingResultText(hostsUp: number | undefined, latencyMs: number | null): string {
  if (!hostsUp) return "No answer.";
  const latency = formatLatency(latencyMs);
  return latency ? `Answered in ${latency}.` : "Answered.";
}

function seconds(n: number): string {
  return n === 1 ? "1 second" : `${n} seconds`;
}

/**
 * A refused request in the UI's words: 429 says when to try again, 422 keeps the server's
 * sentence (already written for people) unless it names an API field.
 */
export function actionErrorText(
  status: number,
  body: ApiErrorBody | null,
  what: "ping" | "port scan" | "change" | "delete",
): string {
  const err = body?.error;
  if (status === 429) {
    const after = Number(err?.details?.retry_after);
    return Number.isFinite(after) && after > 0
      ? `Too many requests; try again in ${seconds(Math.ceil(after))}.`
      : "Too many requests; try again in a minute.";
  }
  if (err?.code === "outside_scan_scope") {
    return `This address is outside the scan scope, so Pingfold may not ${
      what === "port scan" ? "scan" : "ping"
    } it. An admin can widen the scope in Settings.`;
  }
  if (err?.code === "invalid_nmap_args") {
    return `Those ports cannot be scanned: ${
      (err.message ?? "").replace(/^invalid nmap args?:?\s*/i, "")
    }`.trim();
  }
  if (status === 404) return "This host no longer exists.";
  if (status === 401 || status === 403) return "You are not allowed to do this; sign in again?";
  const raw = err?.message?.trim();
  const message = raw ? uiWords(raw, err?.code) : "";
  if (message) return message.endsWith(".") ? message : `${message}.`;
  return `The ${what} failed (the server answered ${status}).`;
}
