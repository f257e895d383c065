// Island: "Ping now" for one host (a row, the drawer, the host page). Queues the ping through
// POST /api/v1/hosts/{id}/ping (debounced and rate limited by the API), shows progress, then the
// answer in words; the pills and cells follow on their own through the live stream.
import { useEffect, useRef, useState } from "preact/hooks";
import { runPing } from "../shared/ping_run.ts";

export interface PingButtonProps extends Record<string, unknown> {
  hostId: number;
  /** Added to the button's accessible name so a row's button says which host. */
  ip: string;
  /** In a table row: the result line stays short. */
  compact?: boolean;
}

type State =
  | { kind: "idle" }
  | { kind: "running"; note: string }
  | { kind: "done"; message: string; up: boolean }
  | { kind: "error"; message: string };

export default function PingButton(p: PingButtonProps) {
  const [state, setState] = useState<State>({ kind: "idle" });
  const alive = useRef(true);
  useEffect(() => () => {
    alive.current = false;
  }, []);

  const ping = async (e: Event) => {
    e.stopPropagation(); // a click in a row must not open the drawer
    if (state.kind === "running") return;
    setState({ kind: "running", note: "Pinging…" });
    const out = await runPing(
      p.hostId,
      (note) => setState({ kind: "running", note }),
      () => alive.current,
    );
    if (out) setState(out);
  };

  const running = state.kind === "running";
  return (
    <span
      class={`ping-now inline-flex flex-wrap items-center gap-2${p.compact ? " text-sm" : ""}`}
      data-testid="ping-now-wrap"
    >
      <button
        type="button"
        class="btn btn-quiet btn-small"
        data-testid="ping-now"
        aria-busy={running ? "true" : undefined}
        disabled={running}
        onClick={ping}
      >
        {running ? "Pinging…" : "Ping now"}
        {/* Says which host in a list of buttons; the visible words stay first in the name. */}
        <span class="sr-only">{` ${p.ip}`}</span>
      </button>
      <span role="status" class="text-sm" data-testid="ping-result" data-state={state.kind}>
        {state.kind === "running" && state.note !== "Pinging…" ? state.note : ""}
        {state.kind === "done"
          ? <span class={state.up ? "" : "field-error"}>{state.message}</span>
          : ""}
        {state.kind === "error" ? <span class="field-error">{state.message}</span> : ""}
      </span>
    </span>
  );
}
