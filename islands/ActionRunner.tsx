// Island: run an action on a host from its drawer or page: POST /api/v1/actions/{id}/run, then
// follow /api/v1/action_runs/{run_id} and show the live output, the status and the exit code.
import { uiErrorOf } from "../shared/ui_words.ts";
import { useEffect, useRef, useState } from "preact/hooks";

export interface ActionRunnerProps extends Record<string, unknown> {
  hostId: number;
  actions: Array<{ id: number; name: string; description: string }>;
}

interface Run {
  id: number;
  status: string;
  exit_code: number | null;
  stdout: string;
  stderr: string;
}

const POLL_MS = 500;
/** Actions time out after at most an hour; stop following after that regardless. */
const MAX_POLLS = 7200;
const FINISHED = new Set(["succeeded", "failed", "timed_out", "cancelled"]);

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

async function errorText(res: Response): Promise<string> {
  const body = await res.json().catch(() => null);
  return uiErrorOf(body, `HTTP ${res.status}`);
}

export default function ActionRunner(p: ActionRunnerProps) {
  const [actionId, setActionId] = useState(p.actions[0]?.id ?? 0);
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const alive = useRef(true);
  useEffect(() => () => {
    alive.current = false;
  }, []);

  const follow = async (runId: number) => {
    for (let i = 0; i < MAX_POLLS && alive.current; i++) {
      const res = await fetch(`/api/v1/action_runs/${runId}`, {
        headers: { accept: "application/json" },
      }).catch(() => null);
      if (res?.ok) {
        const r = await res.json() as Run;
        setRun(r);
        if (FINISHED.has(r.status)) return;
      } else if (res) return setError(await errorText(res));
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };

  const start = async () => {
    setError(null);
    setRun(null);
    setBusy(true);
    try {
      const res = await fetch(`/api/v1/actions/${actionId}/run`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "x-csrf-token": csrfToken(),
        },
        body: JSON.stringify({ host_id: p.hostId }),
      });
      if (res.status !== 202) return setError(await errorText(res));
      const { run_id } = await res.json();
      await follow(run_id);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    if (!run) return;
    const res = await fetch(`/api/v1/action_runs/${run.id}/cancel`, {
      method: "POST",
      headers: { accept: "application/json", "x-csrf-token": csrfToken() },
    });
    if (!res.ok) setError(await errorText(res));
  };

  if (p.actions.length === 0) return <p class="muted text-sm">No actions you may run.</p>;
  return (
    <div class="action-runner" data-testid="action-runner">
      <div class="flex flex-wrap gap-2 items-end">
        <label class="flex flex-col text-sm">
          Action
          <select
            class="input"
            data-testid="action-select"
            value={String(actionId)}
            onChange={(e) => setActionId(Number((e.target as HTMLSelectElement).value))}
          >
            {p.actions.map((a) => (
              <option key={a.id} value={String(a.id)} title={a.description}>{a.name}</option>
            ))}
          </select>
        </label>
        <button
          type="button"
          class="btn btn-small"
          data-testid="action-run"
          disabled={busy}
          onClick={start}
        >
          {busy ? "Running…" : "Run"}
        </button>
        {busy && run && !FINISHED.has(run.status) && (
          <button
            type="button"
            class="btn btn-quiet btn-small"
            data-testid="action-cancel"
            onClick={cancel}
          >
            Cancel
          </button>
        )}
      </div>
      <p role="status" class="text-sm mt-1" data-testid="action-status">
        {run
          ? `Run ${run.id}: ${run.status.replace("_", " ")}${
            run.exit_code === null ? "" : ` (exit code ${run.exit_code})`
          }`
          : ""}
        {error ? <span class="field-error">{error}</span> : ""}
      </p>
      {run && (run.stdout || run.stderr) && (
        <pre
          class="hd-pre action-output"
          data-testid="action-output"
        >{run.stdout}{run.stderr ? `\n${run.stderr}` : ""}</pre>
      )}
    </div>
  );
}
