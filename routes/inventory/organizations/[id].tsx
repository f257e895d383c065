// GET/POST /inventory/organizations/:id: one organization, its servers, the edit form and delete
// (refused while it has servers unless "keep servers without an organization" is ticked).
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { validate } from "@/services/ipam/mod.ts";
import {
  deleteOrganization,
  listServers,
  OrganizationPatchSchema,
  requireOrganization,
  updateOrganization,
} from "@/services/inventory/mod.ts";
import { AppError } from "@/services/errors.ts";
import { Card, Csrf, Field, Notice } from "@/components/InventoryUi.tsx";
import { type Form, pathId, text, userError } from "../_forms.ts";
import { organizationFromForm } from "./index.tsx";

async function render(
  c: AppContext,
  id: number,
  state: { error?: string; ok?: string } = {},
  status = 200,
) {
  const db = c.get("deps").db;
  const org = await requireOrganization(db, id);
  const servers = await listServers(db, { organizationId: id });
  const canEdit = c.get("user")?.role !== "viewer";
  const contact = org.contacts[0];
  const csrf = c.get("csrfToken") ?? "";
  return page(
    c,
    org.name,
    <div class="flex flex-col gap-4">
      <nav class="text-sm">
        <a class="link" href="/inventory/organizations">Organizations</a> › {org.name}
      </nav>
      <h1 class="text-2xl font-bold" data-testid="org-name">{org.name}</h1>
      <Notice error={state.error} ok={state.ok} />
      <Card title="Details" id="org-details">
        <dl class="hd-facts">
          <div class="hd-fact">
            <dt>Code</dt>
            <dd class="mono">{org.code ?? "—"}</dd>
          </div>
          <div class="hd-fact">
            <dt>Tags</dt>
            <dd>{org.tags.join(", ") || "—"}</dd>
          </div>
          {org.contacts.map((ct, i) => (
            <div class="hd-fact" key={i}>
              <dt>Contact</dt>
              <dd>{[ct.name, ct.email, ct.phone].filter(Boolean).join(" · ")}</dd>
            </div>
          ))}
        </dl>
        {org.notes && <p class="hd-pre mt-2">{org.notes}</p>}
      </Card>
      <Card
        title={`Servers (${servers.length})`}
        id="org-servers"
        actions={
          <a class="btn btn-quiet" href={`/inventory/servers?organization_id=${id}`}>
            Add or filter servers
          </a>
        }
      >
        <ul data-testid="org-servers">
          {servers.map((s) => (
            <li key={s.id}>
              <a class="link" href={`/inventory/servers/${s.id}`}>{s.name}</a>{" "}
              <span class="muted">{s.role} · {s.addresses.map((a) => a.ip).join(", ")}</span>
            </li>
          ))}
        </ul>
      </Card>
      {canEdit && (
        <Card title="Edit" id="org-edit">
          <form method="post" class="flex flex-wrap gap-2 items-end">
            <Csrf token={csrf} />
            <input type="hidden" name="_action" value="update" />
            <Field name="name" label="Name" value={org.name} required />
            <Field name="code" label="Code" value={org.code} />
            <Field name="contact_name" label="Contact" value={contact?.name} />
            <Field name="contact_email" label="E-mail" value={contact?.email} type="email" />
            <Field name="contact_phone" label="Phone" value={contact?.phone} />
            <Field name="tags" label="Tags" value={org.tags.join("; ")} />
            <Field name="notes" label="Notes" value={org.notes} wide textarea />
            <button class="btn" type="submit">Save</button>
          </form>
          <form method="post" class="flex gap-2 items-center mt-4">
            <Csrf token={csrf} />
            <input type="hidden" name="_action" value="delete" />
            <label class="text-sm">
              <input type="checkbox" name="detach" value="1" />{" "}
              keep its servers without an organization
            </label>
            <button class="btn btn-danger" type="submit">Delete organization</button>
          </form>
        </Card>
      )}
    </div>,
    status,
  );
}

export function GET(c: AppContext) {
  const id = pathId(c.req.param("id"), "organization");
  return render(c, id, c.req.query("created") ? { ok: "Organization added." } : {});
}

export async function POST(c: AppContext) {
  const id = pathId(c.req.param("id"), "organization");
  const db = c.get("deps").db;
  await requireOrganization(db, id);
  const form = await c.req.parseBody() as Form;
  const action = text(form, "_action");
  try {
    if (action === "update") {
      await updateOrganization(
        db,
        id,
        validate(OrganizationPatchSchema, organizationFromForm(form)),
      );
      return render(c, id, { ok: "Changes saved." });
    }
    if (action === "delete") {
      await deleteOrganization(db, id, { detach: text(form, "detach") === "1" });
      return c.redirect("/inventory/organizations", 303);
    }
    throw new AppError(422, "unknown_action", `unknown form action "${action.slice(0, 40)}"`);
  } catch (err) {
    const e = userError(err);
    return render(c, id, { error: e.message }, e.status);
  }
}
