// Follows a tracked task (202 + GET /api/v1/tasks/{id}) until it ends; used by the action islands.
// Browser-only (fetch and timers), but pure of server code.
import { useEffect, useState } from "preact/hooks";

export interface TaskView {
  status: "queued" | "running" | "succeeded" | "failed" | string;
  progress: number;
  note: string | null;
  error: string | null;
  result: Record<string, unknown> | null;
}

export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

/** POSTs JSON with the page's CSRF token; returns the response and its parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  method = "POST",
): Promise<{ res: Response; body: unknown }> {
  const res = await fetch(url, {
    method,
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      "x-csrf-token": csrfToken(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { res, body: await res.json().catch(() => null) };
}

/**
 * Polls the task every `pollMs` until it succeeds or fails, reporting each view; gives up after
 * `maxPolls` (bounded, like every loop here) and when `alive()` turns false.
 */
export async function followTask(
  taskId: string,
  onView: (t: TaskView) => void,
  opts: { pollMs?: number; maxPolls?: number; alive?: () => boolean } = {},
): Promise<TaskView | null> {
  const max = opts.maxPolls ?? 3600;
  for (let i = 0; i < max && (opts.alive?.() ?? true); i++) {
    await new Promise((r) => setTimeout(r, i === 0 ? 150 : opts.pollMs ?? 600));
    const res = await fetch(`/api/v1/tasks/${encodeURIComponent(taskId)}`, {
      headers: { accept: "application/json" },
    }).catch(() => null);
    if (!res?.ok) continue; // a blip: try again
    const t = await res.json() as TaskView;
    onView(t);
    if (t.status === "succeeded" || t.status === "failed") return t;
  }
  return null;
}

/**
 * An island's view of a followed task: null until the first poll answers, then each new view;
 * `onEnd` runs once when it ends while the island is still on the page.
 */
export function useFollowedTask<T = TaskView>(
  taskId: string,
  opts: { pollMs: number; maxPolls: number; onEnd?: (t: T) => void },
): T | null {
  const [task, setTask] = useState<T | null>(null);
  useEffect(() => {
    let alive = true;
    followTask(taskId, (t) => alive && setTask(t as T), {
      pollMs: opts.pollMs,
      maxPolls: opts.maxPolls,
      alive: () => alive,
    }).then((t) => {
      if (alive && t) opts.onEnd?.(t as T);
    });
    return () => {
      alive = false;
    };
  }, [taskId]);
  return task;
}
