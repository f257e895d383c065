// GET/POST /operations/actions: the actions defined, and (admins) defining or deleting one.
import { uiWords } from "@/shared/ui_words.ts";
import type { AppContext } from "@/web/env.ts";
import { PostButton } from "@/components/PostButton.tsx";
import { page } from "@/web/render.tsx";
import { requireRole } from "@/services/auth/mod.ts";
import { validate } from "@/services/ipam/mod.ts";
import {
  ActionInputSchema,
  createAction,
  deleteAction,
  listActions,
  PLACEHOLDERS,
} from "@/services/operations/mod.ts";
import { AppError } from "@/services/errors.ts";
import { Card, Csrf, Field, Notice } from "@/components/InventoryUi.tsx";
import { type Form, idOf, text, userError } from "../inventory/_forms.ts";
import { DataTable } from "@/components/DataTable.tsx";

async function render(
  c: AppContext,
  state: { error?: string; ok?: string; values?: Form } = {},
  status = 200,
) {
  const actions = await listActions(c.get("deps").db);
  const isAdmin = c.get("user")?.role === "admin";
  const csrf = c.get("csrfToken") ?? "";
  const v = state.values ?? {};
  const dir = c.get("deps").services.operations.actions.actionsDir;
  return page(
    c,
    "Actions",
    <div class="flex flex-col gap-4">
      <nav class="text-sm">
        <a class="link" href="/operations/scans">Scans</a> ·{" "}
        <a class="link" href="/operations/runs">Action runs</a> · Actions
      </nav>
      <h1 class="text-2xl font-bold">Actions</h1>
      <Notice error={state.error} ok={state.ok} />
      <Card title={`${actions.length} actions`} id="actions-title">
        <DataTable
          label="Actions"
          testId="actions-table"
          class="inv-table"
          columns={["Name", "Command", "Timeout", "Editors may run", ""]}
        >
          {actions.map((a) => (
            <tr key={a.id}>
              <td title={a.description}>{a.name}</td>
              <td class="mono">{[a.executable, ...a.args].join(" ")}</td>
              <td>{a.timeout_s} s</td>
              <td>{a.editors_may_run ? "yes" : "no"}</td>
              <td>
                {isAdmin && (
                  <PostButton
                    csrf={csrf}
                    fields={{ _action: "delete", id: String(a.id) }}
                    label="Delete"
                    small
                  />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
        <p class="text-sm muted mt-2">
          Run an action from a host's page or drawer. Executables live in{" "}
          <span class="mono">{dir}</span>.
        </p>
      </Card>
      {isAdmin && (
        <Card title="Define an action" id="add-action-title">
          <form method="post" class="flex flex-wrap gap-2 items-end">
            <Csrf token={csrf} />
            <input type="hidden" name="_action" value="create" />
            <Field name="name" label="Name" value={text(v, "name")} required />
            <Field
              name="executable"
              label="Executable (in ACTIONS_DIR)"
              value={text(v, "executable")}
              required
            />
            <Field
              name="args"
              label={`Arguments, one per line (${PLACEHOLDERS.map((p) => `{${p}}`).join(" ")})`}
              value={text(v, "args")}
              textarea
            />
            <Field
              name="timeout_s"
              label="Timeout (s)"
              value={text(v, "timeout_s") || "60"}
              type="number"
            />
            <label class="text-sm">
              <input type="checkbox" name="editors_may_run" value="1" /> editors may run it
            </label>
            <Field name="description" label="Description" value={text(v, "description")} wide />
            <button class="btn" type="submit" data-testid="action-create">Define action</button>
          </form>
        </Card>
      )}
    </div>,
    status,
  );
}

export function GET(c: AppContext) {
  return render(c);
}

export async function POST(c: AppContext) {
  requireRole(c.get("user"), "admin");
  const form = await c.req.parseBody() as Form;
  const deps = c.get("deps");
  try {
    if (text(form, "_action") === "delete") {
      const id = idOf(form, "id");
      if (!id) throw new AppError(422, "validation_failed", "id is missing");
      await deleteAction(deps.db, id);
      return render(c, { ok: "Action deleted." });
    }
    const input = validate(ActionInputSchema, {
      name: text(form, "name"),
      executable: text(form, "executable").trim(),
      args: text(form, "args").split(/\r?\n/).filter((l) => l !== ""),
      timeout_s: Number(text(form, "timeout_s") || "60"),
      editors_may_run: text(form, "editors_may_run") === "1",
      description: text(form, "description"),
    });
    const a = await createAction(deps.db, deps.services.operations.actions.actionsDir, input);
    return render(c, { ok: `Action ${a.name} defined.` });
  } catch (err) {
    const e = userError(err);
    return render(c, { error: uiWords(e.message), values: form }, e.status);
  }
}
