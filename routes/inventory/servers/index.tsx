// GET/POST /inventory/servers: servers with organization and addresses, filters, and the add form.
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { validate } from "@/services/ipam/mod.ts";
import {
  createServer,
  listOrganizations,
  listServers,
  ServerInputSchema,
} from "@/services/inventory/mod.ts";
import { Card, Csrf, Field, Notice } from "@/components/InventoryUi.tsx";
import { addressesOf, type Form, idOf, tagsOf, text, userError } from "../_forms.ts";
import { DataTable } from "@/components/DataTable.tsx";

async function render(c: AppContext, state: { error?: string; values?: Form } = {}, status = 200) {
  const db = c.get("deps").db;
  const q = c.req.query("q")?.replaceAll("\0", "").slice(0, 200) || undefined;
  const orgRaw = c.req.query("organization_id") ?? "";
  const orgId = /^\d{1,15}$/.test(orgRaw) ? Number(orgRaw) : undefined;
  const [servers, orgs] = await Promise.all([
    listServers(db, { q, organizationId: orgId }),
    listOrganizations(db),
  ]);
  const canEdit = c.get("user")?.role !== "viewer";
  const v = state.values ?? {};
  const chosenOrg = text(v, "organization_id") || (orgId ? String(orgId) : "");
  return page(
    c,
    "Servers",
    <div class="flex flex-col gap-4">
      <nav class="text-sm">
        Servers · <a class="link" href="/inventory/organizations">Organizations</a>
      </nav>
      <h1 class="text-2xl font-bold">Servers</h1>
      <Notice error={state.error} />
      <Card
        title={`${servers.length} servers`}
        id="servers-title"
        actions={
          <form method="get" class="flex flex-wrap gap-2 items-end">
            <Field name="q" label="Text" value={q} />
            <label class="flex flex-col text-sm">
              Organization
              <select class="input" name="organization_id">
                <option value="">any</option>
                {orgs.map((o) => (
                  <option key={o.id} value={String(o.id)} selected={o.id === orgId}>
                    {o.name}
                  </option>
                ))}
              </select>
            </label>
            <button class="btn btn-quiet" type="submit">Filter</button>
          </form>
        }
      >
        <DataTable
          label="Servers"
          testId="server-table"
          class="inv-table"
          columns={["Name", "Organization", "Role", "OS", "Location", "Addresses"]}
        >
          {servers.map((s) => (
            <tr key={s.id}>
              <td>
                <a class="link" href={`/inventory/servers/${s.id}`}>{s.name}</a>
              </td>
              <td>
                {s.organization_id
                  ? (
                    <a class="link" href={`/inventory/organizations/${s.organization_id}`}>
                      {s.organization_name}
                    </a>
                  )
                  : <span class="muted">—</span>}
              </td>
              <td>{s.role}</td>
              <td>{s.os}</td>
              <td>{[s.location, s.rack].filter(Boolean).join(" / ")}</td>
              <td class="mono">
                {s.addresses.map((a) => (
                  <a key={a.host_id} class="link mr-2" href={`/hosts/${a.host_id}`}>{a.ip}</a>
                ))}
              </td>
            </tr>
          ))}
        </DataTable>
      </Card>
      {canEdit && (
        <Card title="Add a server" id="add-server-title">
          <form method="post" action="/inventory/servers" class="flex flex-wrap gap-2 items-end">
            <Csrf token={c.get("csrfToken") ?? ""} />
            <Field name="name" label="Name" value={text(v, "name")} required />
            <label class="flex flex-col text-sm" for="f-organization_id">
              Organization
              <select class="input" id="f-organization_id" name="organization_id">
                <option value="">none</option>
                {orgs.map((o) => (
                  <option key={o.id} value={String(o.id)} selected={String(o.id) === chosenOrg}>
                    {o.name}
                  </option>
                ))}
              </select>
            </label>
            <Field name="role" label="Role" value={text(v, "role")} />
            <Field name="os" label="OS" value={text(v, "os")} />
            <Field name="location" label="Location" value={text(v, "location")} />
            <Field name="rack" label="Rack" value={text(v, "rack")} />
            <Field name="serial" label="Serial" value={text(v, "serial")} />
            <Field name="tags" label="Tags" value={text(v, "tags")} />
            <Field
              name="addresses"
              label="Addresses (one per line)"
              value={text(v, "addresses")}
              textarea
              placeholder="198.51.100.10"
            />
            <Field name="notes" label="Notes" value={text(v, "notes")} textarea />
            <button class="btn" type="submit" data-testid="server-create">Add server</button>
          </form>
        </Card>
      )}
    </div>,
    status,
  );
}

/** The server fields of a form, for create and update alike. */
export function serverFromForm(form: Form) {
  return {
    name: text(form, "name"),
    organization_id: idOf(form, "organization_id"),
    role: text(form, "role"),
    os: text(form, "os"),
    location: text(form, "location"),
    rack: text(form, "rack"),
    serial: text(form, "serial"),
    notes: text(form, "notes"),
    tags: tagsOf(form),
    addresses: addressesOf(form),
  };
}

export function GET(c: AppContext) {
  return render(c);
}

export async function POST(c: AppContext) {
  const form = await c.req.parseBody() as Form;
  try {
    const server = await createServer(
      c.get("deps").db,
      validate(ServerInputSchema, serverFromForm(form)),
    );
    return c.redirect(`/inventory/servers/${server.id}?created=1`, 303);
  } catch (err) {
    const e = userError(err);
    return render(c, { error: e.message, values: form }, e.status);
  }
}
