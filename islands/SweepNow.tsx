// Island: every "Sweep now" button of a page (one island, delegated): queues the sweep, follows its
// task ("swept 254 of 254…") and shows the result. The server dedupes and rate-limits; a click
// while a sweep of that subnet runs here is ignored.
import { uiErrorOf } from "../shared/ui_words.ts";
import { useEffect } from "preact/hooks";
import { formatCount } from "../shared/format_count.ts";

export type SweepNowProps = Record<string, unknown>;

interface TaskView {
  status: string;
  progress: number;
  note: string | null;
  error: string | null;
  result: {
    targets?: number;
    hosts_up?: number;
    hosts_down?: number;
    hosts_new?: number;
    duration_ms?: number;
    errors?: string[];
  } | null;
}

const POLL_MS = 600;
/** A sweep is followed at most this long (a /16 takes minutes); then the link says where to look. */
const MAX_POLLS = 2000;

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

function plural(n: number, one: string, many = `${one}s`) {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

function seconds(ms: number) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** "Done: 12 up, 242 down, 2 new, in 1.3 s". */
export function resultText(t: TaskView): string {
  const r = t.result ?? {};
  const parts = [`${r.hosts_up ?? 0} up`, `${r.hosts_down ?? 0} down`];
  if (r.hosts_new) parts.push(`${r.hosts_new} new`);
  const took = r.duration_ms !== undefined ? `, in ${seconds(r.duration_ms)}` : "";
  const swept = r.targets !== undefined
    ? `Swept ${plural(r.targets, "address", "addresses")}: `
    : "";
  return `${swept}${parts.join(", ")}${took}.`;
}

async function refusal(res: Response): Promise<string> {
  let message = `HTTP ${res.status}`;
  try {
    message = uiErrorOf(await res.json(), message);
  } catch { /* not JSON */ }
  if (res.status === 429) {
    const wait = Number(res.headers.get("retry-after"));
    return `Too many sweeps of this subnet just now${
      Number.isFinite(wait) && wait > 0 ? `; try again in ${plural(Math.ceil(wait), "second")}` : ""
    }.`;
  }
  if (res.status === 403) return "You may not sweep: ask an editor or admin.";
  return message;
}

/** In a subnets table, the swept row's Used / Alive / Free follow the result. */
async function refreshRow(id: string) {
  const row = document.getElementById(`subnet-${id}`);
  if (!row) return;
  const res = await fetch(`/api/v1/subnets/${encodeURIComponent(id)}`, {
    headers: { accept: "application/json" },
  }).catch(() => null);
  if (!res?.ok) return;
  const u = (await res.json()).utilization as Record<string, string>;
  for (const col of ["used", "alive", "free"]) {
    const cell = row.querySelector<HTMLElement>(`[data-col="${col}"]`);
    if (cell && u?.[col] !== undefined) cell.textContent = formatCount(u[col]);
  }
}

async function follow(button: HTMLButtonElement, status: HTMLElement, id: string) {
  const show = (text: string, state: string) => {
    status.textContent = text;
    status.dataset.state = state;
  };
  show("Queued…", "queued");
  const res = await fetch(`/api/v1/subnets/${encodeURIComponent(id)}/sweep`, {
    method: "POST",
    headers: { "x-csrf-token": csrfToken(), accept: "application/json" },
  }).catch(() => null);
  if (!res) return show("Could not reach Pingfold; try again.", "failed");
  if (res.status !== 202) return show(await refusal(res), "refused");
  const { task_id } = await res.json() as { task_id: string };
  for (let i = 0; i < MAX_POLLS; i++) {
    const r = await fetch(`/api/v1/tasks/${encodeURIComponent(task_id)}`, {
      headers: { accept: "application/json" },
    }).catch(() => null);
    if (r?.ok) {
      const t = await r.json() as TaskView;
      if (t.status === "succeeded") {
        await refreshRow(id);
        return show(resultText(t), "succeeded");
      }
      if (t.status === "failed") {
        return show(`Sweep failed: ${t.error ?? "no reason given"}`, "failed");
      }
      show(`${t.note ?? (t.status === "queued" ? "Queued" : "Sweeping")}…`, t.status);
    }
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
  show("Still sweeping; see Scanner for the run.", "running");
  button.disabled = false;
}

export default function SweepNow(_: SweepNowProps) {
  useEffect(() => {
    const running = new Set<string>();
    const onClick = async (e: Event) => {
      const button = (e.target as HTMLElement).closest<HTMLButtonElement>(
        "button[data-sweep-subnet]",
      );
      if (!button) return;
      const id = button.dataset.sweepSubnet!;
      if (running.has(id)) return;
      const status = document.querySelector<HTMLElement>(`[data-sweep-status="${CSS.escape(id)}"]`);
      if (!status) return;
      running.add(id);
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      try {
        await follow(button, status, id);
      } finally {
        running.delete(id);
        button.disabled = false;
        button.removeAttribute("aria-busy");
      }
    };
    document.addEventListener("click", onClick);
    document.documentElement.dataset.sweepReady = "1";
    return () => document.removeEventListener("click", onClick);
  }, []);
  return null;
}
