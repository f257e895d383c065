// GET /operations/runs: past and running action runs, filtered by action, host, user and status.
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { listActions, listRuns, RUN_STATUSES, type RunStatus } from "@/services/operations/mod.ts";
import { Card, Field, Pill } from "@/components/InventoryUi.tsx";
import { DataTable } from "@/components/DataTable.tsx";

const STATUSES: readonly RunStatus[] = RUN_STATUSES;
const idQuery = (v: string | undefined) => (v && /^\d{1,15}$/.test(v) ? Number(v) : undefined);

export async function GET(c: AppContext) {
  const db = c.get("deps").db;
  const actionId = idQuery(c.req.query("action_id"));
  const hostId = idQuery(c.req.query("host_id"));
  const username = c.req.query("username")?.replaceAll("\0", "").trim().slice(0, 100) || undefined;
  const statusQ = c.req.query("status") as RunStatus | undefined;
  const status = statusQ && STATUSES.includes(statusQ) ? statusQ : undefined;
  const [runs, actions] = await Promise.all([
    listRuns(db, { actionId, hostId, username, status, limit: 200 }),
    listActions(db),
  ]);
  return page(
    c,
    "Action runs",
    <div class="flex flex-col gap-4">
      <nav class="text-sm">
        <a class="link" href="/operations/scans">Scans</a> · Action runs ·{" "}
        <a class="link" href="/operations/actions">Actions</a>
      </nav>
      <h1 class="text-2xl font-bold">Action runs</h1>
      <Card
        title={`${Math.min(runs.length, 200)} runs`}
        id="runs-title"
        actions={
          <form method="get" class="flex flex-wrap gap-2 items-end" data-testid="runs-filter">
            <label class="flex flex-col text-sm">
              Action
              <select class="input" name="action_id">
                <option value="">any</option>
                {actions.map((a) => (
                  <option key={a.id} value={String(a.id)} selected={a.id === actionId}>
                    {a.name}
                  </option>
                ))}
              </select>
            </label>
            <Field name="host_id" label="Host id" value={hostId ? String(hostId) : ""} />
            <Field name="username" label="User" value={username} />
            <label class="flex flex-col text-sm">
              Status
              <select class="input" name="status">
                <option value="">any</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s} selected={s === status}>{s.replace("_", " ")}</option>
                ))}
              </select>
            </label>
            <button class="btn btn-quiet" type="submit">Filter</button>
          </form>
        }
      >
        <DataTable
          label="Action runs"
          testId="runs-table"
          class="inv-table"
          columns={[
            "#",
            "Action",
            "Target",
            "User",
            "Status",
            "Exit",
            "Started",
            "Duration",
            "Output",
          ]}
        >
          {runs.slice(0, 200).map((r) => (
            <tr key={r.id}>
              <td>{r.id}</td>
              <td>{r.action_name}</td>
              <td class="mono">
                {r.host_id ? <a class="link" href={`/hosts/${r.host_id}`}>{r.target}</a> : r.target}
              </td>
              <td>{r.username ?? ""}</td>
              <td>
                <Pill status={r.status} />
              </td>
              <td class="mono">{r.exit_code ?? ""}</td>
              <td>{(r.started_at ?? r.created_at).replace("T", " ").slice(0, 19)}</td>
              <td>{r.duration_ms === null ? "" : `${(r.duration_ms / 1000).toFixed(1)} s`}</td>
              <td>
                <details>
                  <summary class="link">show</summary>
                  <pre class="hd-pre action-output">{r.stdout}{r.stderr ? `\n${r.stderr}` : ""}</pre>
                </details>
              </td>
            </tr>
          ))}
        </DataTable>
      </Card>
    </div>,
  );
}
