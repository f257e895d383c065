// Island: "Scan ports now" for one host: queues an nmap scan (202 + task), follows the task, then
// refreshes what shows the ports (the drawer's callback, or a reload on the full page).
import { useEffect, useRef, useState } from "preact/hooks";

export interface PortScanButtonProps extends Record<string, unknown> {
  hostId: number;
  /** Reload the page when the scan ends (the full host page). */
  reloadOnDone?: boolean;
  /** Called when the scan ends (drawer use). Not an island prop. */
  onDone?: () => void;
}

type State =
  | { kind: "idle" }
  | { kind: "running"; taskId: string }
  | { kind: "done"; message: string }
  | { kind: "error"; message: string };

const POLL_MS = 1000;
/** nmap runs are bounded by NMAP_TIMEOUT_SECONDS; stop following after an hour regardless. */
const MAX_POLLS = 3600;

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

async function errorText(res: Response): Promise<string> {
  const body = await res.json().catch(() => null);
  return body?.error?.message ?? `HTTP ${res.status}`;
}

export default function PortScanButton(p: PortScanButtonProps) {
  const [state, setState] = useState<State>({ kind: "idle" });
  const alive = useRef(true);
  useEffect(() => () => {
    alive.current = false;
  }, []);

  const follow = async (taskId: string) => {
    for (let i = 0; i < MAX_POLLS && alive.current; i++) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const res = await fetch(`/api/v1/tasks/${encodeURIComponent(taskId)}`, {
        headers: { accept: "application/json" },
      }).catch(() => null);
      if (!res) continue; // a network blip: try again
      if (!res.ok) return setState({ kind: "error", message: await errorText(res) });
      const task = await res.json();
      if (task.status === "failed") {
        return setState({ kind: "error", message: task.error ?? "the scan failed" });
      }
      if (task.status === "succeeded") {
        const open = task.result?.open_ports;
        setState({
          kind: "done",
          message: typeof open === "number"
            ? `Scan finished: ${open} open ${open === 1 ? "port" : "ports"}.`
            : "Scan finished.",
        });
        if (p.reloadOnDone) location.reload();
        p.onDone?.();
        return;
      }
    }
  };

  const start = async () => {
    try {
      const res = await fetch(`/api/v1/hosts/${p.hostId}/portscan`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "x-csrf-token": csrfToken(),
        },
        body: "{}",
      });
      if (res.status !== 202) return setState({ kind: "error", message: await errorText(res) });
      const { task_id } = await res.json();
      setState({ kind: "running", taskId: task_id });
      await follow(task_id);
    } catch (err) {
      setState({ kind: "error", message: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <span class="hd-scan">
      <button
        type="button"
        class="btn btn-quiet btn-small"
        data-testid="portscan-now"
        disabled={state.kind === "running"}
        onClick={start}
      >
        {state.kind === "running" ? "Scanning ports…" : "Scan ports now"}
      </button>
      <span role="status" class="hd-status">
        {state.kind === "done" ? state.message : ""}
        {state.kind === "error" ? <span class="field-error">{state.message}</span> : ""}
      </span>
    </span>
  );
}
