// Island: "Scan ports now" for one host, over a chosen port list (top 100, top 1000, or typed
// ports; always inside the server's nmap allowlist): queues an nmap scan (202 + task), follows the
// task, then refreshes what shows the ports (the drawer's callback, or a reload on the full page).
import { useEffect, useRef, useState } from "preact/hooks";
import {
  nmapErrorText,
  PORT_CHOICES,
  type PortChoice,
  portListProblem,
  portScanArgs,
} from "../shared/port_scan_text.ts";
import { actionErrorText } from "../shared/action_text.ts";

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
  return actionErrorText(res.status, body, "port scan");
}

export default function PortScanButton(p: PortScanButtonProps) {
  const [state, setState] = useState<State>({ kind: "idle" });
  const [choice, setChoice] = useState<PortChoice>("scheduled");
  const [ports, setPorts] = useState("");
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
        return setState({
          kind: "error",
          message: nmapErrorText(task.error) || "The scan failed.",
        });
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

  const start = async (e?: Event) => {
    e?.preventDefault();
    if (choice === "custom") {
      const problem = portListProblem(ports);
      if (problem) return setState({ kind: "error", message: problem });
    }
    try {
      const res = await fetch(`/api/v1/hosts/${p.hostId}/portscan`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "x-csrf-token": csrfToken(),
        },
        body: JSON.stringify(choice === "scheduled" ? {} : { args: portScanArgs(choice, ports) }),
      });
      if (res.status !== 202) return setState({ kind: "error", message: await errorText(res) });
      const { task_id } = await res.json();
      setState({ kind: "running", taskId: task_id });
      await follow(task_id);
    } catch (err) {
      setState({ kind: "error", message: err instanceof Error ? err.message : String(err) });
    }
  };

  const id = (part: string) => `host-${p.hostId}-scan-${part}`;
  return (
    <form
      class="hd-scan flex flex-wrap items-end gap-2"
      onSubmit={start}
      data-testid="portscan-form"
    >
      <label class="flex flex-col text-sm" for={id("choice")}>
        Ports
        <select
          id={id("choice")}
          class="input"
          value={choice}
          onChange={(e) => setChoice((e.currentTarget as HTMLSelectElement).value as PortChoice)}
        >
          {PORT_CHOICES.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
        </select>
      </label>
      {choice === "custom" && (
        <label class="flex flex-col text-sm" for={id("ports")}>
          Port list
          <input
            id={id("ports")}
            class="input mono"
            autocomplete="off"
            placeholder="22,80,443,8000-8100"
            value={ports}
            onInput={(e) => setPorts((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
      )}
      <button
        type="submit"
        class="btn btn-quiet btn-small"
        data-testid="portscan-now"
        disabled={state.kind === "running"}
      >
        {state.kind === "running" ? "Scanning ports…" : "Scan ports now"}
      </button>
      <span role="status" class="hd-status" data-testid="portscan-status" data-state={state.kind}>
        {state.kind === "done" ? state.message : ""}
        {state.kind === "error" ? <span class="field-error">{state.message}</span> : ""}
      </span>
    </form>
  );
}
