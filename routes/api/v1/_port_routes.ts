// Port-scan routes under /api/v1/hosts, registered on IPAM's hosts router: current ports with
// snapshot history, and "scan ports now".
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { intParam, safeString } from "@/services/input_rules.ts";
import { notFound } from "@/services/errors.ts";
import type { AppEnv } from "@/web/env.ts";
import {
  errorResponses,
  IdParam,
  jsonResponse,
  nullableRef,
  rateLimitedResponse,
  security,
} from "@/web/api_schemas.ts";
import { getKnownHost } from "@/services/ipam/mod.ts";
import {
  cursorOf,
  flagQuery,
  isOn,
  PortScanSchema,
  PortSchema,
  PortSnapshotSchema,
  TaskAcceptedSchema,
} from "../../../web/port_schemas.ts";
import {
  currentPorts,
  latestPortScan,
  portSnapshots,
  requestHostPortscan,
} from "@/services/portscans/mod.ts";

const tags = ["ports"];

const PortscanBody = z.object({
  args: z.union([safeString().max(1000), z.array(safeString().max(200)).max(100)]).optional()
    .openapi({
      description: "nmap options for this scan only, checked against the allowlist (422 " +
        "`invalid_nmap_args` names the refused option). Targets always come from Pingfold. " +
        "Default: NMAP_ARGS.",
      example: "-Pn -T4 -sT -p 22,80,443",
    }),
}).openapi("PortscanRequest");

const CurrentPorts = z.object({
  host_id: z.number().int(),
  history: z.literal(false),
  last_scan: nullableRef(PortScanSchema),
  items: z.array(PortSchema),
  next_cursor: z.null(),
});

const PortHistory = z.object({
  host_id: z.number().int(),
  history: z.literal(true),
  items: z.array(PortSnapshotSchema),
  next_cursor: safeString().nullable(),
});

/** GET /api/v1/hosts/{id}/ports and POST /api/v1/hosts/{id}/portscan. */
export function registerHostPortRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(
    createRoute({
      method: "get",
      path: "/{id}/ports",
      tags,
      summary: "The host's ports: the latest observation of each, or (history=1) every scan",
      description: "Without `history`: the current ports (open first) and the newest scan of " +
        "any outcome. With `history=1`: scans newest first, each with the ports it saw, paged " +
        "with `limit` (default 20) and `cursor`. Service strings are returned verbatim.",
      security,
      request: {
        params: IdParam,
        query: z.object({
          history: flagQuery("Return the snapshots of every scan instead of the current ports"),
          limit: intParam(1, 1000).default(20),
          cursor: cursorOf((c) => /^\d{1,15}$/.test(c)),
        }),
      },
      responses: {
        200: jsonResponse(z.union([CurrentPorts, PortHistory]), "Ports"),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const q = c.req.valid("query");
      const { db } = c.get("deps");
      if (!(await getKnownHost(db, id))) throw notFound(`host ${id}`);
      if (isOn(q.history)) {
        const page = await portSnapshots(db, id, {
          limit: q.limit,
          beforeId: q.cursor ? Number(q.cursor) : undefined,
        });
        return c.json({ host_id: id, history: true as const, ...page }, 200);
      }
      const [items, last] = await Promise.all([currentPorts(db, id), latestPortScan(db, id)]);
      return c.json({
        host_id: id,
        history: false as const,
        last_scan: last,
        items,
        next_cursor: null,
      }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "post",
      path: "/{id}/portscan",
      tags,
      summary: "Port-scan the host now with nmap",
      description: "Returns a task; poll GET /api/v1/tasks/{task_id} for the result (scan id, " +
        "open ports, changes). The same host with the same options while queued or running " +
        "returns the same task. At most 5 requests per user and host per minute (429). Errors: " +
        "422 `invalid_nmap_args` (refused option), 422 `outside_scan_scope` (host outside the scan " +
        "scope), 404 unknown host.",
      security,
      request: {
        params: IdParam,
        body: {
          required: false,
          content: { "application/json": { schema: PortscanBody } },
        },
      },
      responses: {
        202: jsonResponse(TaskAcceptedSchema, "Scan queued"),
        ...errorResponses,
        ...rateLimitedResponse,
      },
    }),
    async (c) => {
      const body = (c.req.valid("json") ?? {}) as z.infer<typeof PortscanBody>;
      const { task_id } = await requestHostPortscan(
        c.get("deps"),
        c.req.valid("param").id,
        c.get("user")!,
        body.args,
      );
      return c.json({ task_id }, 202);
    },
  );
}
