// /api/v1/netflow: collector exporters and counters, top talkers, the subnet matrix, bytes over
// time, and raw flows (filtered, paged).
import { pageResponse } from "@/web/api_paging.ts";
import { createRoute, z } from "@hono/zod-openapi";
import {
  CollectorSchema,
  CountersSchema,
  ExporterSchema,
  FlowSchema,
  MatrixSchema,
  SeriesSchema,
  TopItemSchema,
  WindowQuery,
  WindowSchema,
} from "@/web/netflow_schemas.ts";
import {
  exporterViews,
  listFlows,
  parseWindow,
  resolveFlowFilter,
  topHosts,
  topPairs,
  topPorts,
  trafficMatrix,
  trafficSeries,
  type TrafficWindow,
} from "@/services/netflow/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import {
  errorResponses,
  intParam,
  jsonResponse,
  MAX_ID,
  nullableRef,
  safeString,
  security,
} from "@/web/api_schemas.ts";

const api = apiRouter();
const tags = ["netflow"];

const windowJson = (w: TrafficWindow) => ({
  key: w.key,
  from: new Date(w.fromMs).toISOString(),
  to: new Date(w.toMs).toISOString(),
  bucket_ms: w.bucketMs,
});
const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : String(d));

api.openapi(
  createRoute({
    method: "get",
    path: "/exporters",
    tags,
    summary: "Exporters and their counters (packets, records decoded/inserted, malformed…)",
    security,
    responses: {
      200: jsonResponse(
        z.object({
          items: z.array(ExporterSchema),
          next_cursor: z.null(),
          collector: nullableRef(CollectorSchema),
          totals: CountersSchema,
        }),
        "Exporters; collector is null when this process does not run the collector",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const v = await exporterViews(c.get("deps"));
    return c.json(
      { items: v.items, next_cursor: null, collector: v.collector, totals: v.totals },
      200,
    );
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/top",
    tags,
    summary: "Top talkers: hosts by bytes sent (src), received (dst) or both (host), " +
      "conversations (pair) or protocols/ports (port)",
    security,
    request: {
      query: z.object({
        by: z.enum(["src", "dst", "host", "pair", "port"]).default("host"),
        limit: intParam(1, 1000).default(10),
        ...WindowQuery,
      }),
    },
    responses: {
      200: jsonResponse(
        z.object({
          by: safeString(),
          window: WindowSchema,
          items: z.array(TopItemSchema),
          next_cursor: z.null(),
        }),
        "Ranked by bytes",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const deps = c.get("deps");
    const w = parseWindow(q, deps.now());
    const items = q.by === "pair"
      ? await topPairs(deps.db, w, q.limit)
      : q.by === "port"
      ? await topPorts(deps.db, w, q.limit)
      : await topHosts(deps.db, w, q.by, q.limit);
    return c.json({ by: q.by, window: windowJson(w), items, next_cursor: null }, 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/matrix",
    tags,
    summary: "Subnet-to-subnet traffic: IPAM subnets as nodes, everything else as External",
    security,
    request: {
      query: z.object({
        max_subnets: intParam(1, 100).default(14).openapi({
          description: 'Busiest subnets shown as nodes; the others share the node "other"',
        }),
        ...WindowQuery,
      }),
    },
    responses: { 200: jsonResponse(MatrixSchema, "Nodes and directed edges"), ...errorResponses },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const deps = c.get("deps");
    const w = parseWindow(q, deps.now());
    const m = await trafficMatrix(deps.db, w, { maxSubnets: q.max_subnets });
    return c.json({ window: windowJson(w), ...m }, 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/series",
    tags,
    summary: "Bytes over time: internal, outbound (internal→External), inbound, external",
    security,
    request: { query: z.object(WindowQuery) },
    responses: { 200: jsonResponse(SeriesSchema, "One item per bucket"), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get("deps");
    const w = parseWindow(c.req.valid("query"), deps.now());
    const items = (await trafficSeries(deps.db, w)).map((p) => ({
      ...p,
      t: new Date(p.t).toISOString(),
    }));
    return c.json({ window: windowJson(w), items }, 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/flows",
    tags,
    summary: "Raw flows, newest first, filtered by address, subnet, port, protocol or exporter",
    security,
    request: {
      query: z.object({
        ip: safeString().max(100).optional().openapi({ description: "Either end is this address" }),
        subnet: safeString().max(100).refine(
          (v) => !/^\s*\d+\s*$/.test(v) || Number(v) <= MAX_ID,
          `a subnet id is at most ${MAX_ID}`,
        ).optional().openapi({
          description: "Either end is inside this subnet (id) or prefix (CIDR)",
          example: "198.51.100.0/24",
        }),
        port: intParam(0, 65535).optional().openapi({
          description: "Either port",
        }),
        proto: safeString().max(10).optional().openapi({
          description: "Protocol number or name (tcp, udp, icmp…)",
        }),
        exporter: safeString().max(100).optional(),
        limit: intParam(1, 1000).default(100),
        cursor: safeString().max(60).optional(),
        ...WindowQuery,
      }),
    },
    responses: {
      200: pageResponse(FlowSchema, "Flows (bytes and packets as the exporter counted them)"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const deps = c.get("deps");
    const filter = await resolveFlowFilter(deps.db, c.req.valid("query"), deps.now());
    const page = await listFlows(deps.db, filter);
    const items = page.items.map((f) => ({
      ...f,
      start_at: iso(f.start_at),
      end_at: iso(f.end_at),
    }));
    return c.json({ items, next_cursor: page.next_cursor }, 200);
  },
);

export default api;
