// Island: follows one tracked task (GET /api/v1/tasks/{id}) and shows its progress bar and note,
// then the outcome with a link to the scan result it produced.
import { useFollowedTask } from "../shared/task_follow.ts";

export interface TaskProgressProps extends Record<string, unknown> {
  taskId: string;
}

interface TaskView {
  status: string;
  progress: number;
  note: string | null;
  error: string | null;
  result: { scan_id?: number } | null;
}

const POLL_MS = 700;
const MAX_POLLS = 6000;

export default function TaskProgress(p: TaskProgressProps) {
  const task = useFollowedTask<TaskView>(p.taskId, { pollMs: POLL_MS, maxPolls: MAX_POLLS });

  const pct = Math.round((task?.progress ?? 0) * 100);
  return (
    <div class="task-progress" data-testid="task-progress" data-status={task?.status ?? "queued"}>
      <progress max={100} value={pct} aria-label="Task progress">{pct}%</progress>{" "}
      <span role="status" class="text-sm">
        {!task
          ? "queued"
          : task.status === "failed"
          ? <span class="field-error">failed: {task.error}</span>
          : task.status === "succeeded"
          ? (
            <>
              done{task.result?.scan_id
                ? (
                  <>
                    {" — "}
                    <a class="link" href={`/operations/scans/${task.result.scan_id}`}>
                      result {task.result.scan_id}
                    </a>
                  </>
                )
                : ""}
            </>
          )
          : `${task.status} ${pct}%${task.note ? ` — ${task.note}` : ""}`}
      </span>
    </div>
  );
}
