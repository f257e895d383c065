// One "Ping now" from the browser: queue it (POST /api/v1/hosts/{id}/ping), follow the task, and
// say the answer in words. Shared by the PingButton island (host page, drawer) and the subnet
// page's delegated table island, so every Ping button says the same thing.
import { actionErrorText, type ApiErrorBody, pingResultText } from "./action_text.ts";
import { followTask, postJson } from "./task_follow.ts";

export type PingOutcome =
  | { kind: "done"; up: boolean; message: string }
  | { kind: "error"; message: string };

/** Runs the ping; `onNote` hears "Waiting for a free slot…"; null when `alive()` turned false. */
export async function runPing(
  hostId: number,
  onNote: (note: string) => void,
  alive: () => boolean,
): Promise<PingOutcome | null> {
  try {
    const { res, body } = await postJson(`/api/v1/hosts/${hostId}/ping`, undefined);
    if (res.status !== 202) {
      return { kind: "error", message: actionErrorText(res.status, body as ApiErrorBody, "ping") };
    }
    const taskId = String((body as { task_id: string }).task_id);
    const t = await followTask(taskId, (v) => {
      if (v.status === "queued") onNote("Waiting for a free slot…");
    }, { alive, maxPolls: 600 });
    if (!alive()) return null;
    if (!t) return { kind: "error", message: "No result yet; look again later." };
    if (t.status === "failed") {
      return { kind: "error", message: `The ping failed: ${t.error ?? "no reason"}` };
    }
    const hostsUp = Number(t.result?.hosts_up ?? 0);
    let latency: number | null = null;
    if (hostsUp > 0) {
      const h = await fetch(`/api/v1/hosts/${hostId}`, { headers: { accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : null)).catch(() => null);
      latency = typeof h?.latency_ms === "number" ? h.latency_ms : null;
    }
    return { kind: "done", up: hostsUp > 0, message: pingResultText(hostsUp, latency) };
  } catch (err) {
    return { kind: "error", message: err instanceof Error ? err.message : String(err) };
  }
}
