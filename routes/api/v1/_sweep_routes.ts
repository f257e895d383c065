// Discovery's routes under /api/v1/subnets and /api/v1/hosts, registered on IPAM's routers.
import { pageResponse } from "@/web/api_paging.ts";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { intParam, safeString } from "@/services/input_rules.ts";
import { notFound } from "@/services/errors.ts";
import type { AppEnv } from "@/web/env.ts";
import {
  errorResponses,
  IdParam,
  jsonResponse,
  rateLimitedResponse,
  security,
} from "@/web/api_schemas.ts";
import {
  HOST_EVENT_KINDS,
  hostUptime,
  isValidEventCursor,
  listEvents,
  readStates,
  requestHostPing,
  requestSubnetSweep,
  seriesStep,
  statusSeries,
} from "@/services/sweeps/mod.ts";
import { getKnownHost } from "@/services/ipam/mod.ts";

const TaskAccepted = z.object({ task_id: safeString() }).openapi("TaskAccepted");

const isoTime = safeString().refine((s) => !Number.isNaN(Date.parse(s)), {
  message: "must be an ISO 8601 time such as 2026-01-20T12:00:00Z",
});

const Bucket = z.object({
  ts: safeString(),
  samples: z.number().int(),
  up_samples: z.number().int(),
  up_ratio: z.number(),
  min_latency_ms: z.number().nullable(),
  avg_latency_ms: z.number().nullable(),
  max_latency_ms: z.number().nullable(),
}).openapi("StatusBucket");

const EventSchema = z.object({
  id: z.number().int(),
  host_id: z.number().int(),
  ts: safeString(),
  kind: z.enum(HOST_EVENT_KINDS),
  detail: z.record(safeString(), z.unknown()),
}).openapi("HostEvent");

const UptimeWindow = z.object({
  ratio: z.number().nullable(),
  samples: z.number().int(),
  up_samples: z.number().int(),
  from: safeString(),
  to: safeString(),
});

export const HostStateSchema = z.object({
  status: z.enum(["up", "down", "unknown"]),
  latency_ms: z.number().nullable(),
  since: safeString().nullable(),
  last_seen: safeString().nullable(),
  method: safeString().nullable(),
  checked_at: safeString().nullable(),
}).openapi("HostState");

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

async function requireHost(c: { get(k: "deps"): AppEnv["Variables"]["deps"] }, id: number) {
  const host = await getKnownHost(c.get("deps").db, id);
  if (!host) throw notFound(`host ${id}`);
  return host;
}

/** POST /api/v1/subnets/{id}/sweep. */
export function registerSubnetDiscoveryRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(
    createRoute({
      method: "post",
      path: "/{id}/sweep",
      tags: ["discovery"],
      summary: "Sweep the subnet now (debounced: a queued or running sweep is returned)",
      description: `At most 5 requests per user and subnet per minute (429 with Retry-After). ` +
        `Poll GET /api/v1/tasks/{task_id} for the run summary. Child subnets with scanning off ` +
        `are not probed. 422 \`outside_scan_scope\` when the subnet is outside the scan scope.`,
      security,
      request: { params: IdParam },
      responses: {
        202: jsonResponse(TaskAccepted, "Sweep queued"),
        ...errorResponses,
        ...rateLimitedResponse,
      },
    }),
    async (c) => {
      const { task_id } = await requestSubnetSweep(
        c.get("deps"),
        c.req.valid("param").id,
        c.get("user")!,
      );
      return c.json({ task_id }, 202);
    },
  );
}

/** POST /api/v1/hosts/{id}/ping and GET /api/v1/hosts/{id}/status|events|uptime. */
export function registerHostDiscoveryRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(
    createRoute({
      method: "post",
      path: "/{id}/ping",
      tags: ["discovery"],
      summary: "Ping the host now (debounced and rate limited like subnet sweeps)",
      description: "422 `outside_scan_scope` when the host is outside the scan scope.",
      security,
      request: { params: IdParam },
      responses: {
        202: jsonResponse(TaskAccepted, "Ping queued"),
        ...errorResponses,
        ...rateLimitedResponse,
      },
    }),
    async (c) => {
      const { task_id } = await requestHostPing(
        c.get("deps"),
        c.req.valid("param").id,
        c.get("user")!,
      );
      return c.json({ task_id }, 202);
    },
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/{id}/status",
      tags: ["discovery"],
      summary: "Up ratio and latency over time, from raw and hourly rolled-up history",
      description: "`from` defaults to 24 h before `to`, `to` to now; `step` (seconds, >= 60) " +
        "defaults to the smallest of 1 m, 5 m, 15 m, 1 h, 6 h, 1 d, 7 d giving at most 2000 points.",
      security,
      request: {
        params: IdParam,
        query: z.object({
          from: isoTime.optional(),
          to: isoTime.optional(),
          step: intParam(60, 30 * 86_400).optional(),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({
            host_id: z.number().int(),
            from: safeString(),
            to: safeString(),
            step: z.number().int(),
            items: z.array(Bucket),
            next_cursor: z.null(),
          }),
          "Series",
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const q = c.req.valid("query");
      const deps = c.get("deps");
      await requireHost(c, id);
      // Half-open [from, to): by default `to` is just past now, so the latest sweep is included.
      const to = q.to ? Date.parse(q.to) : deps.now() + 1;
      const from = q.from ? Date.parse(q.from) : to - 86_400_000;
      const step = seriesStep(from, to, q.step);
      const items = await statusSeries(deps.db, id, new Date(from), new Date(to), step);
      return c.json({
        host_id: id,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        step,
        items,
        next_cursor: null,
      }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/{id}/events",
      tags: ["discovery"],
      summary: "State flips, discovery and hostname changes, newest first",
      security,
      request: {
        params: IdParam,
        query: z.object({
          limit: intParam(1, 1000).default(100),
          cursor: safeString().max(200).refine(isValidEventCursor, "unknown cursor").optional(),
          from: isoTime.optional(),
          to: isoTime.optional(),
        }),
      },
      responses: {
        200: pageResponse(EventSchema, "Events"),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const q = c.req.valid("query");
      await requireHost(c, id);
      const page = await listEvents(c.get("deps").db, id, {
        limit: q.limit,
        cursor: q.cursor ?? null,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      });
      return c.json(page, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/{id}/uptime",
      tags: ["discovery"],
      summary: "Uptime over the last 24 hours and 7 days, and the current state",
      security,
      request: { params: IdParam },
      responses: {
        200: jsonResponse(
          z.object({
            host_id: z.number().int(),
            uptime_24h: UptimeWindow,
            uptime_7d: UptimeWindow,
            state: HostStateSchema,
          }),
          "Uptime",
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const deps = c.get("deps");
      const host = await requireHost(c, id);
      const [uptime, states] = await Promise.all([
        hostUptime(deps.db, id, deps.now()),
        readStates(deps.kv, [host.ip]),
      ]);
      const s = states.get(host.ip);
      return c.json({
        host_id: id,
        ...uptime,
        state: {
          status: !s ? "unknown" as const : s.up ? "up" as const : "down" as const,
          latency_ms: s?.latency_ms ?? null,
          since: iso(s?.since),
          last_seen: iso(s?.last_seen),
          method: s?.method ?? null,
          checked_at: iso(s?.checked_at),
        },
      }, 200);
    },
  );
}
