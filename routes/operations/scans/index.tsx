// GET/POST /operations/scans: recent scan results with filters and export buttons, and a form for
// ad-hoc checks (ping and short port scans answer at once; sweeps and long scans become tasks).
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import {
  listScanResults,
  requestPing,
  requestPortscanAsync,
  requestPortscanSync,
  requestSweep,
  type ScanKind,
} from "@/services/operations/mod.ts";
import { Card, Csrf, Field, Notice, Pill } from "@/components/InventoryUi.tsx";
import { island } from "@/web/islands.tsx";
import TaskProgress from "@/islands/TaskProgress.tsx";

const TaskProgressIsland = island("TaskProgress", TaskProgress);
import { type Form, text, userError } from "../../inventory/_forms.ts";
import { DataTable } from "@/components/DataTable.tsx";

const KINDS = ["ping", "sweep", "port_scan"] as const;

async function render(c: AppContext, state: { error?: string; ok?: string } = {}, status = 200) {
  const kindQ = c.req.query("kind");
  const kind = (KINDS as readonly string[]).includes(kindQ ?? "") ? kindQ as ScanKind : undefined;
  const target = c.req.query("target")?.replaceAll("\0", "").trim().slice(0, 64) || undefined;
  const rows = (await listScanResults(c.get("deps").db, { kind, target, limit: 100 })).slice(
    0,
    100,
  );
  const task = c.req.query("task");
  const canRun = c.get("user")?.role !== "viewer";
  return page(
    c,
    "Scans",
    <div class="flex flex-col gap-4">
      <nav class="text-sm">
        Scans · <a class="link" href="/operations/runs">Action runs</a> ·{" "}
        <a class="link" href="/operations/actions">Actions</a>
      </nav>
      <h1 class="text-2xl font-bold">Scans</h1>
      <Notice error={state.error} ok={state.ok} />
      {task && /^[0-9a-f-]{36}$/.test(task) && (
        <div class="notice" data-testid="task-notice">
          Task <a class="link mono" href={`/api/v1/tasks/${task}`}>{task}</a>:{" "}
          <TaskProgressIsland taskId={task} />
        </div>
      )}
      {canRun && (
        <Card title="Check now" id="adhoc-title">
          <form method="post" action="/operations/scans" class="flex flex-wrap gap-2 items-end">
            <Csrf token={c.get("csrfToken") ?? ""} />
            <Field
              name="target"
              label="Address or prefix"
              required
              placeholder="127.0.0.1 or 127.0.0.0/28"
            />
            <label class="flex flex-col text-sm" for="f-kind">
              Check
              <select class="input" id="f-kind" name="kind">
                <option value="ping">ping</option>
                <option value="sweep">sweep (a bare address means its /24)</option>
                <option value="port_scan">port scan</option>
              </select>
            </label>
            <Field name="ports" label="Ports" placeholder="22,80,443" />
            <button class="btn" type="submit" data-testid="adhoc-run">Run</button>
          </form>
        </Card>
      )}
      <Card
        title="Recent results"
        id="scans-title"
        actions={
          <form method="get" class="flex flex-wrap gap-2 items-end">
            <label class="flex flex-col text-sm">
              Kind
              <select class="input" name="kind">
                <option value="">any</option>
                {KINDS.map((k) => <option key={k} value={k} selected={k === kind}>{k}</option>)}
              </select>
            </label>
            <Field name="target" label="Target" value={target} />
            <button class="btn btn-quiet" type="submit">Filter</button>
          </form>
        }
      >
        <DataTable
          label="Scan results"
          testId="scan-table"
          class="inv-table"
          columns={["#", "Kind", "Target", "Source", "Status", "Summary", "Started", "Export"]}
        >
          {rows.map((r) => (
            <tr key={r.id} data-scan-id={r.id}>
              <td>
                <a class="link" href={`/operations/scans/${r.id}`}>{r.id}</a>
              </td>
              <td>{r.kind}</td>
              <td class="mono">{r.target}</td>
              <td>{r.source}</td>
              <td>
                <Pill status={r.status} />
              </td>
              <td>{summaryText(r.kind, r.summary, r.open_ports.length)}</td>
              <td>
                <time dateTime={r.started_at}>
                  {r.started_at.replace("T", " ").slice(0, 19)}
                </time>
              </td>
              <td>
                <a class="link" href={`/api/v1/scans/${r.id}/export?format=json`} download>
                  JSON
                </a>{" "}
                <a class="link" href={`/api/v1/scans/${r.id}/export?format=csv`} download>
                  CSV
                </a>
              </td>
            </tr>
          ))}
        </DataTable>
      </Card>
    </div>,
    status,
  );
}

export function summaryText(kind: string, s: Record<string, unknown>, openPorts: number): string {
  if (kind === "ping") {
    return s.alive ? `up via ${s.answered_by ?? s.method ?? "?"}` : s.hosts_up ? "up" : "no answer";
  }
  if (kind === "sweep") return `${s.hosts_up ?? "?"} of ${s.targets ?? "?"} up`;
  return `${openPorts} open`;
}

export function GET(c: AppContext) {
  return render(c);
}

export async function POST(c: AppContext) {
  const form = await c.req.parseBody() as Form;
  const ops = c.get("deps").services.operations;
  const user = c.get("user")?.username ?? null;
  const target = text(form, "target");
  const ports = text(form, "ports").trim() || undefined;
  try {
    switch (text(form, "kind")) {
      case "ping":
        return c.redirect(`/operations/scans/${(await requestPing(ops, target, user)).id}`, 303);
      case "sweep":
        return c.redirect(
          `/operations/scans?task=${(await requestSweep(ops, target, user)).task_id}`,
          303,
        );
      default: {
        try {
          const r = await requestPortscanSync(ops, target, ports, user);
          return c.redirect(`/operations/scans/${r.id}`, 303);
        } catch (err) {
          // Too many ports for an answer now: run it as a task instead.
          if ((err as { code?: string }).code !== "use_async_portscan") throw err;
          const t = await requestPortscanAsync(ops, target, ports, user);
          return c.redirect(`/operations/scans?task=${t.task_id}`, 303);
        }
      }
    }
  } catch (err) {
    const e = userError(err);
    return render(c, { error: e.message }, e.status);
  }
}
