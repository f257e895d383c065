// /api/compat: the older operations API's paths and shapes (docs/compat.md), each a thin adapter
// over the services behind /api/v1 — same auth, tokens, roles, scope and rate limits.
import { createRoute, z } from "@hono/zod-openapi";
import {
  createHost,
  getHostByIp,
  HostInputSchema,
  HostPatchSchema,
  type HostRecord,
  hostsWithStatus,
  listHosts,
  parseIp,
  requireHost,
  updateHost,
  validate,
} from "@/services/ipam/mod.ts";
import {
  createOrganization,
  createServer,
  deleteIndicator,
  deleteOrganization,
  deleteServer,
  IndicatorNameSchema,
  indicatorSummary,
  IndicatorValueSchema,
  linkHost,
  listIndicators,
  listOrganizations,
  listServers,
  type Organization,
  OrganizationInputSchema,
  OrganizationPatchSchema,
  placementsOf,
  requireOrganization,
  requireServer,
  type Server,
  ServerInputSchema,
  serverOfHost,
  ServerPatchSchema,
  unlinkHost,
  updateOrganization,
  updateServer,
  upsertIndicator,
} from "@/services/inventory/mod.ts";
import {
  getScanResult,
  inventoryStats,
  listActions,
  listScanResults,
  requestPing,
  requestPortscanAsync,
  requestPortscanSync,
  requestSweep,
  type ScanResult,
  startRun,
} from "@/services/operations/mod.ts";
import { loadStats } from "@/services/dashboard/mod.ts";
import { notFound } from "@/services/errors.ts";
import { apiRouter } from "@/web/api_router.ts";
import {
  errorResponses,
  idParam,
  intParam,
  jsonBody,
  jsonResponse,
  safeString,
  security,
} from "@/web/api_schemas.ts";
import type { AppContext } from "@/web/env.ts";
import { boolQuery, isTrue } from "@/web/ipam_schemas.ts";
import { exportResponse } from "../v1/scans.ts";

const api = apiRouter();
const tags = ["compat"];
const idp = (name: string) =>
  idParam().openapi({
    param: { name, in: "path" },
    example: 1,
  });
const ipp = safeString().min(1).max(64).openapi({
  param: { name: "ip", in: "path" },
  example: "127.0.0.1",
});
const user = (c: AppContext) => c.get("user")?.username ?? null;
const ops = (c: AppContext) => c.get("deps").services.operations;

// ---- shapes (stable; see docs/compat.md) ----

const CompatHost = z.object({
  id: z.number().int(),
  ip: safeString(),
  hostname: safeString().nullable(),
  description: safeString().nullable(),
  notes: safeString().nullable(),
  tags: z.array(safeString()),
  subnet_id: z.number().int().nullable(),
  server_id: z.number().int().nullable(),
  server: safeString().nullable(),
  entreprise_id: z.number().int().nullable(),
  entreprise: safeString().nullable(),
  status: z.enum(["up", "down", "unknown"]),
  latency_ms: z.number().nullable(),
  last_seen: safeString().nullable(),
}).openapi("CompatHost");

async function compatHosts(c: AppContext, hosts: HostRecord[]) {
  const deps = c.get("deps");
  const [withStatus, places] = await Promise.all([
    hostsWithStatus(deps.kv, hosts),
    placementsOf(deps.db, hosts.map((h) => h.id)),
  ]);
  return withStatus.map((h) => {
    const p = places.get(h.id);
    return {
      id: h.id,
      ip: h.ip,
      hostname: h.hostname_override ?? h.hostname,
      description: h.description,
      notes: h.notes,
      tags: h.tags,
      subnet_id: h.subnet_id,
      server_id: p?.server_id ?? null,
      server: p?.server ?? null,
      entreprise_id: p?.organization_id ?? null,
      entreprise: p?.organization ?? null,
      status: h.status,
      latency_ms: h.latency_ms,
      last_seen: h.last_seen_at,
    };
  });
}
const oneHost = async (c: AppContext, h: HostRecord) => (await compatHosts(c, [h]))[0];

const CompatIndicator = z.object({
  name: safeString(),
  value: z.union([z.number(), safeString()]).nullable(),
  unit: safeString(),
  status: safeString(),
  source: safeString(),
  updated_at: safeString(),
}).openapi("CompatIndicator");
const compatIndicator = indicatorSummary;

const CompatScan = z.object({
  id: z.number().int(),
  kind: safeString(),
  target: safeString(),
  host_id: z.number().int().nullable(),
  status: safeString(),
  started_at: safeString(),
  finished_at: safeString().nullable(),
  summary: z.record(safeString(), z.unknown()),
  open_ports: z.array(z.object({
    port: z.number().int(),
    proto: safeString(),
    state: safeString(),
    service: safeString(),
  })),
}).openapi("CompatScan");
const compatScan = (r: ScanResult) => ({
  id: r.id,
  kind: r.kind,
  target: r.target,
  host_id: r.host_id,
  status: r.status,
  started_at: r.started_at,
  finished_at: r.finished_at,
  summary: r.summary,
  open_ports: r.open_ports.map((p) => ({
    port: p.port,
    proto: p.proto,
    state: p.state,
    service: p.service,
  })),
});

const Queued = z.object({
  task_id: safeString(),
  status: z.literal("queued"),
  target: safeString(),
}).openapi("CompatQueued");

const CompatEntreprise = z.object({
  id: z.number().int(),
  name: safeString(),
  code: safeString().nullable(),
  contacts: z.array(z.object({ name: safeString(), email: safeString(), phone: safeString() })),
  notes: safeString(),
  tags: z.array(safeString()),
  serveurs: z.number().int(),
}).openapi("CompatEntreprise");
const compatEntreprise = (o: Organization) => ({
  id: o.id,
  name: o.name,
  code: o.code,
  contacts: o.contacts,
  notes: o.notes,
  tags: o.tags,
  serveurs: o.server_count,
});

const CompatServeur = z.object({
  id: z.number().int(),
  name: safeString(),
  entreprise_id: z.number().int().nullable(),
  role: safeString(),
  os: safeString(),
  location: safeString(),
  rack: safeString(),
  serial: safeString(),
  notes: safeString(),
  tags: z.array(safeString()),
  addresses: z.array(safeString()),
}).openapi("CompatServeur");
const compatServeur = (s: Server) => ({
  id: s.id,
  name: s.name,
  entreprise_id: s.organization_id,
  role: s.role,
  os: s.os,
  location: s.location,
  rack: s.rack,
  serial: s.serial,
  notes: s.notes,
  tags: s.tags,
  addresses: s.addresses.map((a) => a.ip),
});

const list = <T extends z.ZodType>(item: T, d: string) => jsonResponse(z.array(item), d);
// ---- hosts ----

api.openapi(
  createRoute({
    method: "get",
    path: "/hosts",
    tags,
    summary: "All hosts (array), in address order",
    security,
    request: {
      query: z.object({
        limit: intParam(1, 10000).default(1000),
        offset: intParam(0).default(0),
      }),
    },
    responses: { 200: list(CompatHost, "Hosts"), ...errorResponses },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const all = await listHosts(c.get("deps").db, { limit: q.limit + q.offset });
    return c.json(await compatHosts(c, all.slice(q.offset)), 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/hosts/by_ip/{ip}",
    tags,
    summary: "The host with this address",
    security,
    request: { params: z.object({ ip: ipp }) },
    responses: { 200: jsonResponse(CompatHost, "The host"), ...errorResponses },
  }),
  async (c) => {
    const ip = parseIp(c.req.valid("param").ip).ip;
    const h = await getHostByIp(c.get("deps").db, ip);
    if (!h) throw notFound(`host ${ip}`);
    return c.json(await oneHost(c, h), 200);
  },
);

const CompatHostBody = z.object({
  ip: safeString().min(1).max(64),
  hostname: safeString().max(253).nullable().optional(),
  description: safeString().max(2000).nullable().optional(),
  notes: safeString().max(10000).nullable().optional(),
  tags: z.array(safeString().max(64)).max(50).optional(),
  server_id: z.number().int().positive().nullable().optional(),
});

async function placeOnServer(c: AppContext, hostId: number, serverId: number | null | undefined) {
  if (serverId === undefined) return;
  const db = c.get("deps").db;
  const current = await serverOfHost(db, hostId);
  if (current && current.id !== serverId) await unlinkHost(db, current.id, hostId);
  if (serverId !== null && current?.id !== serverId) await linkHost(db, serverId, hostId);
}

api.openapi(
  createRoute({
    method: "post",
    path: "/host",
    tags,
    summary: "Create a host (outside every subnet if need be); 409 when the address exists",
    security,
    request: { body: jsonBody(CompatHostBody) },
    responses: { 201: jsonResponse(CompatHost, "Created"), ...errorResponses },
  }),
  async (c) => {
    const b = c.req.valid("json");
    const db = c.get("deps").db;
    if (b.server_id) await requireServer(db, b.server_id);
    const input = validate(HostInputSchema, {
      ip: b.ip,
      hostname: b.hostname ?? null,
      description: b.description ?? null,
      notes: b.notes ?? null,
      tags: b.tags ?? [],
    });
    const h = await createHost(db, input, { allowOrphan: true });
    await placeOnServer(c, h.id, b.server_id);
    return c.json(await oneHost(c, h), 201);
  },
);

api.openapi(
  createRoute({
    method: "put",
    path: "/host/{id}",
    tags,
    summary: "Change a host's fields (absent ones stay); server_id null unlinks",
    security,
    request: {
      params: z.object({ id: idp("id") }),
      body: jsonBody(CompatHostBody.omit({ ip: true })),
    },
    responses: { 200: jsonResponse(CompatHost, "Changed"), ...errorResponses },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const b = c.req.valid("json");
    const db = c.get("deps").db;
    await requireHost(db, id);
    if (b.server_id) await requireServer(db, b.server_id);
    const { server_id, ...fields } = b;
    const patch = validate(HostPatchSchema, fields);
    const h = Object.keys(patch).length
      ? await updateHost(db, id, patch, { allowOrphan: true })
      : await requireHost(db, id);
    await placeOnServer(c, id, server_id);
    return c.json(await oneHost(c, h), 200);
  },
);

// ---- actions ----

const CompatAction = z.object({
  id: z.number().int(),
  name: safeString(),
  description: safeString(),
  args: z.array(safeString()),
  timeout: z.number().int(),
  editors_may_run: z.boolean(),
}).openapi("CompatAction");

api.openapi(
  createRoute({
    method: "get",
    path: "/actions",
    tags,
    summary: "Actions (array)",
    security,
    responses: { 200: list(CompatAction, "Actions"), ...errorResponses },
  }),
  async (c) =>
    c.json(
      (await listActions(c.get("deps").db)).map((a) => ({
        id: a.id,
        name: a.name,
        description: a.description,
        args: a.args,
        timeout: a.timeout_s,
        editors_may_run: a.editors_may_run,
      })),
      200,
    ),
);

api.openapi(
  createRoute({
    method: "post",
    path: "/action/{id}/run_on_host/{host_id}",
    tags,
    summary: "Run an action on a host (202; poll /api/compat/tasks/{task_id})",
    security,
    request: { params: z.object({ id: idp("id"), host_id: idp("host_id") }) },
    responses: {
      202: jsonResponse(
        z.object({ task_id: safeString(), run_id: z.number().int(), status: z.literal("queued") }),
        "Queued",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const p = c.req.valid("param");
    const u = c.get("user")!;
    const r = await startRun(ops(c).actions, { actionId: p.id, hostId: p.host_id }, {
      username: u.username,
      role: u.role,
      clientIp: c.get("clientIp"),
    });
    return c.json({ task_id: r.task_id, run_id: r.run_id, status: "queued" as const }, 202);
  },
);

// ---- indicators (singular and plural paths both answer) ----

for (const word of ["indicators", "indicator"]) {
  api.openapi(
    createRoute({
      method: "get",
      path: `/host/{id}/${word}`,
      tags,
      summary: "A host's indicators (array)",
      security,
      request: { params: z.object({ id: idp("id") }) },
      responses: { 200: list(CompatIndicator, "Indicators"), ...errorResponses },
    }),
    async (c) =>
      c.json(
        (await listIndicators(c.get("deps").db, { hostId: c.req.valid("param").id })).map(
          compatIndicator,
        ),
        200,
      ),
  );
  api.openapi(
    createRoute({
      method: "post",
      path: `/host/{id}/${word}`,
      tags,
      summary: "Set an indicator of a host (creates or replaces by name)",
      security,
      request: {
        params: z.object({ id: idp("id") }),
        body: jsonBody(IndicatorValueSchema.extend({ name: IndicatorNameSchema })),
      },
      responses: {
        200: jsonResponse(CompatIndicator, "Replaced"),
        201: jsonResponse(CompatIndicator, "Created"),
        ...errorResponses,
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const r = await upsertIndicator(
        c.get("deps").db,
        { hostId: c.req.valid("param").id },
        b.name,
        b,
        { sink: c.get("deps").services.alerts },
      );
      return c.json(compatIndicator(r.indicator), r.created ? 201 : 200);
    },
  );
  api.openapi(
    createRoute({
      method: "delete",
      path: `/host/{id}/${word}/{name}`,
      tags,
      summary: "Remove an indicator of a host",
      security,
      request: {
        params: z.object({
          id: idp("id"),
          name: IndicatorNameSchema.openapi({ param: { name: "name", in: "path" } }),
        }),
      },
      responses: {
        200: jsonResponse(z.object({ deleted: z.boolean(), name: safeString() }), "Deleted"),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.req.valid("param");
      await deleteIndicator(c.get("deps").db, { hostId: p.id }, p.name);
      return c.json({ deleted: true, name: p.name }, 200);
    },
  );
}

// ---- ad-hoc checks ----

api.openapi(
  createRoute({
    method: "get",
    path: "/ping/{ip}",
    tags,
    summary: "Ping an address now (fping → ping → TCP 22/80/443)",
    security,
    request: { params: z.object({ ip: ipp }) },
    responses: {
      200: jsonResponse(
        z.object({
          ip: safeString(),
          alive: z.boolean(),
          method: safeString().nullable(),
          latency_ms: z.number().nullable(),
          scan_id: z.number().int(),
        }).openapi("CompatPing"),
        "Result",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const r = await requestPing(ops(c), c.req.valid("param").ip, user(c));
    const s = r.summary as {
      alive: boolean;
      answered_by: string | null;
      latency_ms: number | null;
    };
    return c.json({
      ip: r.target,
      alive: s.alive,
      method: s.answered_by,
      latency_ms: s.latency_ms,
      scan_id: r.id,
    }, 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/scan/{ip}",
    tags,
    summary: "Sweep the address's /24 (or a URL-encoded CIDR) as a task (202)",
    security,
    request: { params: z.object({ ip: ipp }) },
    responses: { 202: jsonResponse(Queued, "Queued"), ...errorResponses },
  }),
  async (c) => {
    const r = await requestSweep(ops(c), c.req.valid("param").ip, user(c));
    return c.json({ task_id: r.task_id, status: "queued" as const, target: r.target }, 202);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/scan_ports/{ip}",
    tags,
    summary:
      "Port-scan an address synchronously (at most 100 ports; 422 says to use the async form)",
    security,
    request: {
      params: z.object({ ip: ipp }),
      query: z.object({ ports: safeString().max(2000).default("1-100") }),
    },
    responses: { 200: jsonResponse(CompatScan, "Result"), ...errorResponses },
  }),
  async (c) => {
    const r = await requestPortscanSync(
      ops(c),
      c.req.valid("param").ip,
      c.req.valid("query").ports,
      user(c),
    );
    return c.json(compatScan(r), 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/scan_ports_async/{ip}",
    tags,
    summary: "Port-scan an address as a task (202); ports in the query or the body",
    security,
    request: {
      params: z.object({ ip: ipp }),
      query: z.object({ ports: safeString().max(2000).optional() }),
    },
    responses: { 202: jsonResponse(Queued, "Queued"), ...errorResponses },
  }),
  async (c) => {
    let ports = c.req.valid("query").ports;
    if (ports === undefined && c.req.header("content-type")?.startsWith("application/json")) {
      const body = await c.req.json().catch(() => ({}));
      if (typeof body?.ports === "string") ports = body.ports;
    }
    const r = await requestPortscanAsync(ops(c), c.req.valid("param").ip, ports, user(c));
    return c.json({ task_id: r.task_id, status: "queued" as const, target: r.target }, 202);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/scans/recent",
    tags,
    summary: "The n latest scan results (array)",
    security,
    request: { query: z.object({ n: intParam(1, 1000).default(10) }) },
    responses: { 200: list(CompatScan, "Scans"), ...errorResponses },
  }),
  async (c) => {
    const n = c.req.valid("query").n;
    const rows = await listScanResults(c.get("deps").db, { limit: n });
    return c.json(rows.slice(0, n).map(compatScan), 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/scans/{id}",
    tags,
    summary: "One scan result",
    security,
    request: { params: z.object({ id: idp("id") }) },
    responses: { 200: jsonResponse(CompatScan, "The scan"), ...errorResponses },
  }),
  async (c) =>
    c.json(compatScan(await getScanResult(c.get("deps").db, c.req.valid("param").id)), 200),
);

api.openapi(
  createRoute({
    method: "get",
    path: "/tasks/{id}",
    tags,
    summary: "A task's state",
    security,
    request: {
      params: z.object({ id: safeString().openapi({ param: { name: "id", in: "path" } }) }),
    },
    responses: {
      200: jsonResponse(
        z.object({
          id: safeString(),
          kind: safeString(),
          status: safeString(),
          progress: z.number(),
          result: z.unknown(),
          error: safeString().nullable(),
        }).openapi("CompatTask"),
        "The task",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const t = await c.get("deps").services.tasks.get(c.req.valid("param").id);
    return c.json({
      id: t.id,
      kind: t.kind,
      status: t.status,
      progress: t.progress,
      result: t.result,
      error: t.error,
    }, 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/stats",
    tags,
    summary: "Totals and the most common open ports and services",
    security,
    responses: {
      200: jsonResponse(
        z.object({
          hosts: z.number().int(),
          subnets: z.number().int(),
          servers: z.number().int(),
          entreprises: z.number().int(),
          scans: z.number().int(),
          open_ports: z.number().int(),
          top_ports: z.array(z.object({ port: z.number().int(), count: z.number().int() })),
          top_services: z.array(z.object({ service: safeString(), count: z.number().int() })),
        }).openapi("CompatStats"),
        "Stats",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const deps = c.get("deps");
    const [base, inv] = await Promise.all([
      loadStats(deps, { top: 10 }),
      inventoryStats(deps.db, { now: deps.now(), window: "all", top: 10 }),
    ]);
    return c.json({
      hosts: base.hosts,
      subnets: base.subnets,
      servers: inv.servers,
      entreprises: inv.organizations,
      scans: inv.scan_results.total,
      open_ports: base.open_ports,
      top_ports: inv.window.top_open_ports.map((p) => ({ port: p.port, count: p.hosts })),
      top_services: inv.window.top_services.map((s) => ({ service: s.service, count: s.hosts })),
    }, 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/export/scan/{id}",
    tags,
    summary: "Download a scan result as JSON or CSV",
    security,
    request: {
      params: z.object({ id: idp("id") }),
      query: z.object({ format: z.enum(["json", "csv"]).default("json") }),
    },
    responses: {
      200: {
        description: "The file",
        content: {
          "application/json": { schema: z.unknown() },
          "text/csv": { schema: safeString() },
        },
      },
      ...errorResponses,
    },
  }),
  async (c) =>
    exportResponse(
      await getScanResult(c.get("deps").db, c.req.valid("param").id),
      c.req.valid("query").format,
    ),
);

// ---- entreprises (organizations) and serveurs (servers) ----

const IdOnly = z.object({ id: idp("id") });
const deleted = jsonResponse(z.object({ deleted: z.boolean(), id: z.number().int() }), "Deleted");

api.openapi(
  createRoute({
    method: "get",
    path: "/entreprises",
    tags,
    summary: "Companies (array)",
    security,
    responses: { 200: list(CompatEntreprise, "Companies"), ...errorResponses },
  }),
  async (c) => c.json((await listOrganizations(c.get("deps").db)).map(compatEntreprise), 200),
);
api.openapi(
  createRoute({
    method: "post",
    path: "/entreprises",
    tags,
    summary: "Create a company (409 when the name exists)",
    security,
    request: { body: jsonBody(OrganizationInputSchema) },
    responses: { 201: jsonResponse(CompatEntreprise, "Created"), ...errorResponses },
  }),
  async (c) =>
    c.json(
      compatEntreprise(await createOrganization(c.get("deps").db, c.req.valid("json"))),
      201,
    ),
);
api.openapi(
  createRoute({
    method: "get",
    path: "/entreprises/{id}",
    tags,
    summary: "One company",
    security,
    request: { params: IdOnly },
    responses: { 200: jsonResponse(CompatEntreprise, "The company"), ...errorResponses },
  }),
  async (c) =>
    c.json(
      compatEntreprise(await requireOrganization(c.get("deps").db, c.req.valid("param").id)),
      200,
    ),
);
api.openapi(
  createRoute({
    method: "put",
    path: "/entreprises/{id}",
    tags,
    summary: "Change a company",
    security,
    request: { params: IdOnly, body: jsonBody(OrganizationPatchSchema) },
    responses: { 200: jsonResponse(CompatEntreprise, "Changed"), ...errorResponses },
  }),
  async (c) =>
    c.json(
      compatEntreprise(
        await updateOrganization(c.get("deps").db, c.req.valid("param").id, c.req.valid("json")),
      ),
      200,
    ),
);
api.openapi(
  createRoute({
    method: "delete",
    path: "/entreprises/{id}",
    tags,
    summary: "Delete a company (409 while it has servers unless detach=true)",
    security,
    request: { params: IdOnly, query: z.object({ detach: boolQuery("Keep its servers") }) },
    responses: { 200: deleted, ...errorResponses },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await deleteOrganization(c.get("deps").db, id, {
      detach: isTrue(c.req.valid("query").detach),
    });
    return c.json({ deleted: true, id }, 200);
  },
);

const ServeurBody = ServerInputSchema.omit({ organization_id: true }).extend({
  entreprise_id: z.number().int().positive().nullable().default(null),
});
const ServeurPatch = ServerPatchSchema.omit({ organization_id: true }).extend({
  entreprise_id: z.number().int().positive().nullable().optional(),
});

api.openapi(
  createRoute({
    method: "get",
    path: "/serveurs",
    tags,
    summary: "Servers (array)",
    security,
    request: { query: z.object({ entreprise_id: idParam().optional() }) },
    responses: { 200: list(CompatServeur, "Servers"), ...errorResponses },
  }),
  async (c) =>
    c.json(
      (await listServers(c.get("deps").db, {
        organizationId: c.req.valid("query").entreprise_id,
      })).map(compatServeur),
      200,
    ),
);
api.openapi(
  createRoute({
    method: "post",
    path: "/serveurs",
    tags,
    summary: "Create a server (`addresses` link or create hosts)",
    security,
    request: { body: jsonBody(ServeurBody) },
    responses: { 201: jsonResponse(CompatServeur, "Created"), ...errorResponses },
  }),
  async (c) => {
    const { entreprise_id, ...rest } = c.req.valid("json");
    const s = await createServer(c.get("deps").db, { ...rest, organization_id: entreprise_id });
    return c.json(compatServeur(s), 201);
  },
);
api.openapi(
  createRoute({
    method: "get",
    path: "/serveurs/{id}",
    tags,
    summary: "One server",
    security,
    request: { params: IdOnly },
    responses: { 200: jsonResponse(CompatServeur, "The server"), ...errorResponses },
  }),
  async (c) =>
    c.json(compatServeur(await requireServer(c.get("deps").db, c.req.valid("param").id)), 200),
);
api.openapi(
  createRoute({
    method: "put",
    path: "/serveurs/{id}",
    tags,
    summary: "Change a server (`addresses` replaces the linked set)",
    security,
    request: { params: IdOnly, body: jsonBody(ServeurPatch) },
    responses: { 200: jsonResponse(CompatServeur, "Changed"), ...errorResponses },
  }),
  async (c) => {
    const { entreprise_id, ...rest } = c.req.valid("json");
    const patch = entreprise_id === undefined ? rest : { ...rest, organization_id: entreprise_id };
    const s = await updateServer(c.get("deps").db, c.req.valid("param").id, patch);
    return c.json(compatServeur(s), 200);
  },
);
api.openapi(
  createRoute({
    method: "delete",
    path: "/serveurs/{id}",
    tags,
    summary: "Delete a server (its hosts stay)",
    security,
    request: { params: IdOnly },
    responses: { 200: deleted, ...errorResponses },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await deleteServer(c.get("deps").db, id);
    return c.json({ deleted: true, id }, 200);
  },
);

export default api;
