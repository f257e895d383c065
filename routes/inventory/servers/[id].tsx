// GET/POST /inventory/servers/:id: one server with each address's live status, open ports and
// uptime, its indicators, linking and unlinking hosts, editing and deleting.
import type { AppContext } from "@/web/env.ts";
import { PostButton } from "@/components/PostButton.tsx";
import { page } from "@/web/render.tsx";
import { island } from "@/web/islands.tsx";
import { validate } from "@/services/ipam/mod.ts";
import {
  deleteServer,
  linkAddress,
  listIndicators,
  listOrganizations,
  loadServerDetail,
  requireServer,
  ServerPatchSchema,
  unlinkHost,
  updateServer,
} from "@/services/inventory/mod.ts";
import { AppError } from "@/services/errors.ts";
import { Card, Csrf, Field, Notice, Pill } from "@/components/InventoryUi.tsx";
import { StatusPill } from "@/components/StatusPill.tsx";
import HostDrawer from "@/islands/HostDrawer.tsx";
import { type Form, idOf, pathId, text, userError } from "../_forms.ts";
import { serverFromForm } from "./index.tsx";
import { DataTable } from "@/components/DataTable.tsx";

const HostDrawerIsland = island("HostDrawer", HostDrawer);

async function render(
  c: AppContext,
  id: number,
  state: { error?: string; ok?: string } = {},
  status = 200,
) {
  const deps = c.get("deps");
  const s = await loadServerDetail(deps, id);
  const [orgs, indicators] = await Promise.all([
    listOrganizations(deps.db),
    listIndicators(deps.db, { serverId: id }),
  ]);
  const canEdit = c.get("user")?.role !== "viewer";
  const csrf = c.get("csrfToken") ?? "";
  return page(
    c,
    s.name,
    <div class="flex flex-col gap-4">
      <nav class="text-sm">
        <a class="link" href="/inventory/servers">Servers</a> › {s.organization_id && (
          <>
            <a class="link" href={`/inventory/organizations/${s.organization_id}`}>
              {s.organization_name}
            </a>{" "}
            ›{" "}
          </>
        )}
        {s.name}
      </nav>
      <h1 class="text-2xl font-bold" data-testid="server-name">{s.name}</h1>
      <Notice error={state.error} ok={state.ok} />
      <Card title="Addresses" id="server-addresses">
        <DataTable
          label="Addresses"
          testId="server-addresses"
          class="inv-table"
          columns={["Address", "Name", "Status", "Open ports", "Uptime 24 h", ""]}
        >
          {s.addresses.map((a) => (
            <tr key={a.host_id} data-host-id={a.host_id}>
              <td class="mono">
                <a class="link" href={`/hosts/${a.host_id}`}>{a.ip}</a>
              </td>
              <td>{a.hostname ?? ""}</td>
              <td>
                <StatusPill
                  state={a.status}
                  latencyMs={a.latency_ms}
                  since={a.status_since}
                  lastSeen={null}
                />
              </td>
              <td class="mono">
                {a.open_ports.length
                  ? a.open_ports.map((p) =>
                    `${p.port}/${p.proto}${p.service ? ` ${p.service}` : ""}`
                  ).join(", ")
                  : <span class="muted">none known</span>}
              </td>
              <td>
                {a.uptime_24h === null
                  ? <span class="muted">—</span>
                  : `${(a.uptime_24h * 100).toFixed(1)} %`}
              </td>
              <td>
                {canEdit && (
                  <PostButton
                    csrf={csrf}
                    fields={{ _action: "unlink", host_id: String(a.host_id) }}
                    label="Unlink"
                    small
                  />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
        {canEdit && (
          <form method="post" class="flex flex-wrap gap-2 items-end mt-3">
            <Csrf token={csrf} />
            <input type="hidden" name="_action" value="link" />
            <Field name="ip" label="Link an address" placeholder="198.51.100.10" required />
            <button class="btn btn-quiet" type="submit" data-testid="server-link">Link</button>
          </form>
        )}
      </Card>
      <Card title="Indicators" id="server-indicators">
        {indicators.length === 0
          ? (
            <p class="muted text-sm">
              None. Scripts set them with PUT /api/v1/servers/{id}/indicators/NAME.
            </p>
          )
          : (
            <ul class="text-sm">
              {indicators.map((i) => (
                <li key={i.name}>
                  <Pill status={i.status} /> <span class="mono">{i.name}</span>{" "}
                  {String(i.value ?? "")} {i.unit}
                </li>
              ))}
            </ul>
          )}
      </Card>
      <Card title="Details" id="server-details">
        <dl class="hd-facts">
          <div class="hd-fact">
            <dt>Role</dt>
            <dd>{s.role || "—"}</dd>
          </div>
          <div class="hd-fact">
            <dt>OS</dt>
            <dd>{s.os || "—"}</dd>
          </div>
          <div class="hd-fact">
            <dt>Location</dt>
            <dd>{s.location || "—"}</dd>
          </div>
          <div class="hd-fact">
            <dt>Rack</dt>
            <dd>{s.rack || "—"}</dd>
          </div>
          <div class="hd-fact">
            <dt>Serial</dt>
            <dd class="mono">{s.serial || "—"}</dd>
          </div>
          <div class="hd-fact">
            <dt>Tags</dt>
            <dd>{s.tags.join(", ") || "—"}</dd>
          </div>
        </dl>
        {s.notes && <p class="hd-pre mt-2">{s.notes}</p>}
      </Card>
      {canEdit && (
        <Card title="Edit" id="server-edit">
          <form method="post" class="flex flex-wrap gap-2 items-end">
            <Csrf token={csrf} />
            <input type="hidden" name="_action" value="update" />
            <Field name="name" label="Name" value={s.name} required />
            <label class="flex flex-col text-sm" for="f-organization_id">
              Organization
              <select class="input" id="f-organization_id" name="organization_id">
                <option value="">none</option>
                {orgs.map((o) => (
                  <option key={o.id} value={String(o.id)} selected={o.id === s.organization_id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </label>
            <Field name="role" label="Role" value={s.role} />
            <Field name="os" label="OS" value={s.os} />
            <Field name="location" label="Location" value={s.location} />
            <Field name="rack" label="Rack" value={s.rack} />
            <Field name="serial" label="Serial" value={s.serial} />
            <Field name="tags" label="Tags" value={s.tags.join("; ")} />
            <Field
              name="addresses"
              label="Addresses (one per line)"
              value={s.addresses.map((a) => a.ip).join("\n")}
              textarea
            />
            <Field name="notes" label="Notes" value={s.notes} textarea />
            <button class="btn" type="submit">Save</button>
          </form>
          <PostButton
            csrf={csrf}
            fields={{ _action: "delete" }}
            label="Delete server (its hosts stay)"
            variant="danger"
            formClass="mt-4"
          />
        </Card>
      )}
      <HostDrawerIsland />
    </div>,
    status,
  );
}

export function GET(c: AppContext) {
  const id = pathId(c.req.param("id"), "server");
  return render(c, id, c.req.query("created") ? { ok: "Server added." } : {});
}

export async function POST(c: AppContext) {
  const id = pathId(c.req.param("id"), "server");
  const db = c.get("deps").db;
  await requireServer(db, id);
  const form = await c.req.parseBody() as Form;
  const action = text(form, "_action");
  try {
    if (action === "update") {
      await updateServer(db, id, validate(ServerPatchSchema, serverFromForm(form)));
      return render(c, id, { ok: "Changes saved." });
    }
    if (action === "link") {
      await linkAddress(db, id, text(form, "ip"));
      return render(c, id, { ok: `Linked ${text(form, "ip").trim()}.` });
    }
    if (action === "unlink") {
      const hostId = idOf(form, "host_id");
      if (!hostId) throw new AppError(422, "validation_failed", "host_id is missing");
      await unlinkHost(db, id, hostId);
      return render(c, id, { ok: "Unlinked." });
    }
    if (action === "delete") {
      await deleteServer(db, id);
      return c.redirect("/inventory/servers", 303);
    }
    throw new AppError(422, "unknown_action", `unknown form action "${action.slice(0, 40)}"`);
  } catch (err) {
    const e = userError(err);
    return render(c, id, { error: e.message }, e.status);
  }
}
