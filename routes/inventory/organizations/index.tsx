// GET/POST /inventory/organizations: organizations with their server counts, and the add form.
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { validate } from "@/services/ipam/mod.ts";
import {
  createOrganization,
  listOrganizations,
  OrganizationInputSchema,
} from "@/services/inventory/mod.ts";
import { Card, Csrf, Field, Notice } from "@/components/InventoryUi.tsx";
import { type Form, tagsOf, text, userError } from "../_forms.ts";
import { DataTable } from "@/components/DataTable.tsx";

async function render(c: AppContext, state: { error?: string; values?: Form } = {}, status = 200) {
  const q = c.req.query("q")?.replaceAll("\0", "").slice(0, 200) || undefined;
  const orgs = await listOrganizations(c.get("deps").db, { q });
  const canEdit = c.get("user")?.role !== "viewer";
  const v = state.values ?? {};
  return page(
    c,
    "Organizations",
    <div class="flex flex-col gap-4">
      <nav class="text-sm">
        <a class="link" href="/inventory/servers">Servers</a> · Organizations
      </nav>
      <h1 class="text-2xl font-bold">Organizations</h1>
      <Notice error={state.error} />
      <Card
        title={`${orgs.length} organizations`}
        id="orgs-title"
        actions={
          <form method="get" class="flex flex-wrap gap-2 items-end">
            <Field name="q" label="Text" value={q} />
            <button class="btn btn-quiet" type="submit">Filter</button>
          </form>
        }
      >
        <DataTable
          label="Organizations"
          testId="org-table"
          class="inv-table"
          columns={["Name", "Code", "Servers", "Contacts", "Tags"]}
        >
          {orgs.map((o) => (
            <tr key={o.id}>
              <td>
                <a class="link" href={`/inventory/organizations/${o.id}`}>{o.name}</a>
              </td>
              <td class="mono">{o.code ?? ""}</td>
              <td>{o.server_count}</td>
              <td>{o.contacts.map((ct) => ct.name || ct.email).filter(Boolean).join(", ")}</td>
              <td>{o.tags.join(", ")}</td>
            </tr>
          ))}
        </DataTable>
      </Card>
      {canEdit && (
        <Card title="Add an organization" id="add-org-title">
          <form
            method="post"
            action="/inventory/organizations"
            class="flex flex-wrap gap-2 items-end"
          >
            <Csrf token={c.get("csrfToken") ?? ""} />
            <Field name="name" label="Name" value={text(v, "name")} required />
            <Field name="code" label="Code" value={text(v, "code")} />
            <Field name="contact_name" label="Contact" value={text(v, "contact_name")} />
            <Field
              name="contact_email"
              label="E-mail"
              value={text(v, "contact_email")}
              type="email"
            />
            <Field name="contact_phone" label="Phone" value={text(v, "contact_phone")} />
            <Field name="tags" label="Tags" value={text(v, "tags")} />
            <Field name="notes" label="Notes" value={text(v, "notes")} wide textarea />
            <button class="btn" type="submit" data-testid="org-create">Add organization</button>
          </form>
        </Card>
      )}
    </div>,
    status,
  );
}

/** The organization fields of a form, for create and update alike. */
export function organizationFromForm(form: Form) {
  const contact = {
    name: text(form, "contact_name").trim(),
    email: text(form, "contact_email").trim(),
    phone: text(form, "contact_phone").trim(),
  };
  return {
    name: text(form, "name"),
    code: text(form, "code").trim() || null,
    contacts: contact.name || contact.email || contact.phone ? [contact] : [],
    notes: text(form, "notes"),
    tags: tagsOf(form),
  };
}

export function GET(c: AppContext) {
  return render(c);
}

export async function POST(c: AppContext) {
  const form = await c.req.parseBody() as Form;
  try {
    const input = validate(OrganizationInputSchema, organizationFromForm(form));
    const org = await createOrganization(c.get("deps").db, input);
    return c.redirect(`/inventory/organizations/${org.id}?created=1`, 303);
  } catch (err) {
    const e = userError(err);
    return render(c, { error: e.message, values: form }, e.status);
  }
}
