// Island: follows a batched CSV import task (GET /api/v1/tasks/{id}) and shows its progress live
// ("imported 40,000 of 200,000 rows"), then the final counts and the first rows with errors.
import { useFollowedTask } from "../shared/task_follow.ts";

export interface ImportProgressProps extends Record<string, unknown> {
  taskId: string;
  /** The server-rendered first state, so the page says something before the first poll. */
  initialNote?: string;
  /** A preview's check: when it ends the page reloads, and the server renders the preview. */
  reloadWhenDone?: boolean;
}

interface LineNote {
  line: number;
  message: string;
}

interface ImportResult {
  summary?: Record<string, number>;
  errors?: LineNote[];
  batches?: { rows: number; list_limit: number };
}

interface TaskView {
  status: string;
  progress: number;
  note: string | null;
  error: string | null;
  result: ImportResult | null;
}

const POLL_MS = 500;
/** About 50 minutes of polling; a task still open then is shown as it last stood. */
const MAX_POLLS = 6000;

const n = (v: number | undefined) => (v ?? 0).toLocaleString("en-US");

function Counts(p: { result: ImportResult }) {
  const s = p.result.summary ?? {};
  const item = (label: string, v: number | undefined, testId: string) => (
    <div class="flex flex-col">
      <dt class="text-sm muted">{label}</dt>
      <dd class="text-xl font-semibold tabular-nums" data-testid={testId}>{n(v)}</dd>
    </div>
  );
  return (
    <dl class="flex flex-wrap gap-6">
      {item("Created", s.create, "count-create")}
      {item("Updated", s.update, "count-update")}
      {item("Unchanged / skipped", s.skip, "count-skip")}
      {item("Errors", s.error, "count-error")}
      {(s.folder ?? 0) > 0 && item("phpIPAM folders skipped", s.folder, "count-folder")}
      {(s.warning ?? 0) > 0 && item("Warnings", s.warning, "count-warning")}
    </dl>
  );
}

function Errors(p: { errors: LineNote[]; total: number }) {
  if (p.errors.length === 0) return null;
  return (
    <div>
      <h3 class="font-bold mb-1">
        Rows with errors{p.total > p.errors.length ? ` (first ${n(p.errors.length)})` : ""}
      </h3>
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Rows with errors">
        <table class="table" data-testid="import-errors">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {p.errors.map((e) => (
              <tr>
                <td class="tabular-nums">{e.line}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export default function ImportProgress(p: ImportProgressProps) {
  const task = useFollowedTask<TaskView>(p.taskId, {
    pollMs: POLL_MS,
    maxPolls: MAX_POLLS,
    onEnd: () => p.reloadWhenDone && location.reload(),
  });

  const status = task?.status ?? "queued";
  const pct = Math.round((task?.progress ?? 0) * 100);
  const result = task?.result ?? null;
  const done = status === "succeeded" || status === "failed";
  return (
    <div class="flex flex-col gap-3" data-testid="import-progress" data-status={status}>
      <p class="flex flex-wrap items-center gap-2">
        <progress max={100} value={pct} aria-label="Import progress">{pct}%</progress>
        <span role="status" class="text-sm" data-testid="import-note">
          {status === "succeeded"
            ? `Done: ${task?.note ?? "imported"}.`
            : status === "failed"
            ? <span class="field-error">Failed: {task?.error}</span>
            : `${task?.note ?? p.initialNote ?? "queued"}… (${pct}%)`}
        </span>
      </p>
      {p.reloadWhenDone && done && <p class="muted">Loading the preview…</p>}
      {!p.reloadWhenDone && status === "succeeded" && result?.summary && <Counts result={result} />}
      {!p.reloadWhenDone && done && result?.errors && (
        <Errors errors={result.errors} total={result.summary?.error ?? result.errors.length} />
      )}
      {!p.reloadWhenDone && done && (
        <p class="flex gap-2">
          <a class="btn btn-quiet" href="/import">Import another file</a>
        </p>
      )}
    </div>
  );
}
