// GET/POST /hosts/:id: one host's full page (links, no JavaScript); `?format=json` is the same
// data for the drawer island; POST is the edit form's no-JavaScript path.
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { island } from "@/web/islands.tsx";
import { AppError, notFound } from "@/services/errors.ts";
import { strictId } from "@/services/input_rules.ts";
import { hostTimeline, loadHostDetail } from "@/services/dashboard/mod.ts";
import { hostTraffic, parseWindow } from "@/services/netflow/mod.ts";
import { hostSnmpOverview } from "@/services/snmp/mod.ts";
import {
  fieldErrors,
  findNul,
  getSubnet,
  HostInputSchema,
  HostPatchSchema,
  requireHost,
  updateHost,
} from "@/services/ipam/mod.ts";
import { HostDetail, type HostView } from "@/components/HostDetail.tsx";
import { textToTags } from "@/shared/host_detail_format.ts";
import Sparkline from "@/islands/Sparkline.tsx";
import HostEditForm, { type HostEditValues } from "@/islands/HostEditForm.tsx";
import PortScanButton from "@/islands/PortScanButton.tsx";
import ActionRunner from "@/islands/ActionRunner.tsx";
import { hostInventory } from "@/services/operations/mod.ts";
import SnmpSettingsForm from "@/islands/SnmpSettingsForm.tsx";
import PingButton from "@/islands/PingButton.tsx";
import HostManage from "@/islands/HostManage.tsx";
import LiveStatus from "@/islands/LiveStatus.tsx";

const parts = {
  Sparkline: island("Sparkline", Sparkline),
  EditForm: island("HostEditForm", HostEditForm),
  ScanButton: island("PortScanButton", PortScanButton),
  ActionRunner: island("ActionRunner", ActionRunner),
  SnmpForm: island("SnmpSettingsForm", SnmpSettingsForm),
  Ping: island("PingButton", PingButton),
  Manage: island("HostManage", HostManage),
};
const LiveStatusIsland = island("LiveStatus", LiveStatus);

/** The same rules as PATCH /api/v1/hosts/{id}: the override is checked like a hostname. */
const HostEditSchema = HostPatchSchema.pick({ description: true, tags: true, notes: true })
  .extend({ hostname_override: HostInputSchema.shape.hostname });

function hostId(c: AppContext): number {
  const raw = c.req.param("id") ?? "";
  const id = strictId(raw);
  if (id === null) throw notFound(`host ${raw.slice(0, 40)}`);
  return id;
}

async function hostView(c: AppContext, id: number): Promise<HostView> {
  const deps = c.get("deps");
  const detail = await loadHostDetail(deps, id);
  const subnet = detail.host.subnet_id ? await getSubnet(deps.db, detail.host.subnet_id) : null;
  const snmp = await hostSnmpOverview(deps.db, id);
  const poll = snmp.last_poll;
  // ?timeline=<cursor> pages the timeline (the "Older" link); anything else is the first page.
  const cursor = /^[0-9a-z_.]{1,64}$/.test(c.req.query("timeline") ?? "")
    ? c.req.query("timeline")
    : undefined;
  const [traffic, timeline] = await Promise.all([
    hostTraffic(deps.db, detail.host.ip, parseWindow({ window: "1h" }, deps.now()), 5),
    hostTimeline(deps.db, id, { limit: 20, cursor }),
  ]);
  return {
    detail,
    subnet: subnet ? { id: subnet.id, cidr: subnet.cidr, name: subnet.name } : null,
    now: deps.now(),
    can_edit: c.get("user")?.role !== "viewer",
    inventory: await hostInventory(deps.db, id, c.get("user")?.role ?? "viewer"),
    names: {
      names: snmp.names,
      poll: poll && { status: poll.status, error: poll.error, polled_at: poll.polled_at },
      settings: snmp.settings,
      effectiveFrom: snmp.effective?.scope ?? null,
    },
    story: { traffic, timeline },
  };
}

function render(
  c: AppContext,
  view: HostView,
  opts: { saved?: boolean; edit?: { values: HostEditValues; errors: Record<string, string> } },
  status = 200,
) {
  const h = view.detail.host;
  const name = view.names.names.shown;
  return page(
    c,
    name ? `${name} (${h.ip})` : h.ip,
    <div class="host-page">
      <nav aria-label="Breadcrumb" class="text-sm mb-2">
        <ol class="flex flex-wrap gap-1">
          <li>
            <a class="link" href="/">Dashboard</a>
          </li>
          {view.subnet && (
            <li>
              <span aria-hidden="true">›</span>{" "}
              <a class="link mono" href={`/subnets/${view.subnet.id}`}>{view.subnet.cidr}</a>
            </li>
          )}
        </ol>
      </nav>
      {/* Keeps the pill, Last seen and latency of this host live. */}
      <div class="mb-2">
        <LiveStatusIsland alive={null} subnetId={view.subnet?.id ?? null} />
      </div>
      {opts.saved && <p class="notice mb-3" role="status" data-testid="notice">Changes saved.</p>}
      <HostDetail
        view={view}
        level={1}
        headingId="host-title"
        csrf={c.get("csrfToken") ?? ""}
        parts={parts}
        edit={opts.edit}
        saved={opts.saved}
        reloadOnSave
      />
    </div>,
    status,
  );
}

export async function GET(c: AppContext) {
  const view = await hostView(c, hostId(c));
  if (c.req.query("format") === "json") {
    return c.json(view, 200, { "cache-control": "no-store" });
  }
  return render(c, view, { saved: c.req.query("saved") !== undefined });
}

const text = (form: Record<string, unknown>, name: string) =>
  typeof form[name] === "string" ? form[name] as string : "";

export async function POST(c: AppContext) {
  const id = hostId(c);
  const { db } = c.get("deps");
  await requireHost(db, id);
  const form = await c.req.parseBody();
  if (text(form, "_action") !== "update") {
    throw new AppError(
      422,
      "unknown_action",
      `unknown form action ${
        JSON.stringify(text(form, "_action").slice(0, 40))
      }; expected "update"`,
    );
  }
  const values: HostEditValues = {
    hostname_override: text(form, "hostname_override"),
    description: text(form, "description"),
    tags: text(form, "tags"),
    notes: text(form, "notes"),
  };
  const nul = findNul(values);
  let errors: Record<string, string> = nul ? { [nul]: "NUL characters are not allowed" } : {};
  if (!nul) {
    const parsed = HostEditSchema.safeParse({ ...values, tags: textToTags(values.tags) });
    if (parsed.success) {
      await updateHost(db, id, parsed.data);
      return c.redirect(`/hosts/${id}?saved=1`, 303);
    }
    errors = fieldErrors(parsed.error);
  }
  return render(c, await hostView(c, id), { edit: { values, errors } }, 422);
}
