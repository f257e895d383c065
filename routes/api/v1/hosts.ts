// /api/v1/hosts: host CRUD and lookup by address; the subnet is derived, never sent.
import { createRoute, z } from "@hono/zod-openapi";
import {
  errorResponses,
  IdParam,
  idParam,
  jsonBody,
  jsonResponse,
  safeString,
  security,
} from "@/web/api_schemas.ts";
import { notFound } from "@/services/errors.ts";
import {
  createHost,
  deleteHost,
  getHostByIp,
  type HostFilter,
  HostInputSchema,
  HostPatchSchema,
  hostsWithStatus,
  listHosts,
  parseCidr,
  parseIp,
  requireHost,
  updateHost,
  validate,
} from "@/services/ipam/mod.ts";
import {
  boolQuery,
  HostCreateBody,
  HostPatchBody,
  HostSchema,
  isTrue,
  pagingQuery,
  queryText,
} from "@/web/ipam_schemas.ts";
import { DEFAULT_PAGE_LIMIT, keysetPage, pageResponse } from "@/web/api_paging.ts";
import { apiRouter } from "@/web/api_router.ts";
import { memoRead } from "@/services/store/mod.ts";

const api = apiRouter();
const tags = ["hosts"];

const HostCreateSchema = HostInputSchema.extend({
  hostname_override: HostInputSchema.shape.hostname,
});
const HostChangeSchema = HostPatchSchema.extend({
  hostname_override: HostInputSchema.shape.hostname.optional(),
});

const OrphanQuery = z.object({
  allow_orphan: boolQuery("Allow an address outside every subnet (same as the body field)"),
});

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "List hosts in address order, with live status",
    security,
    request: {
      query: z.object({
        subnet_id: idParam().optional().openapi({
          description: "Hosts assigned to this subnet (not those of its child subnets)",
        }),
        within: safeString().optional().openapi({
          description: "Hosts inside this prefix, child subnets included",
          example: "198.51.100.0/24",
        }),
        tag: queryText(64).optional(),
        q: queryText(200).optional().openapi({
          description: "Text in hostnames, description, notes, mac or tags, or the start of the ip",
        }),
        discovered: boolQuery("Only hosts created by discovery (true) or by people (false)"),
        ...pagingQuery,
      }),
    },
    responses: {
      200: pageResponse(HostSchema, "Hosts"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const { db, kv } = c.get("deps");
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const filter: HostFilter = {
      subnet_id: query.subnet_id,
      within: query.within ? parseCidr(query.within, { normalize: true }).cidr : undefined,
      tag: query.tag,
      q: query.q,
      discovered: query.discovered === undefined ? undefined : isTrue(query.discovered),
      after: query.cursor ? parseIp(query.cursor).ip : undefined,
      limit: limit + 1,
    };
    // Identical pages asked at once (dashboards, scripts polling) share one query: read_memo.ts.
    const rows = await memoRead(
      db,
      `hosts:${JSON.stringify(filter)}`,
      () => listHosts(db, filter),
      {
        live: true,
      },
    );
    const { items, next_cursor } = keysetPage(rows, limit, (h) => h.ip);
    return c.json({ items: await hostsWithStatus(kv, items), next_cursor }, 200);
  },
);

api.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags,
    summary: "Create a host (claim an address)",
    description: "The subnet is the most specific one containing ip. Errors: 422 " +
      "`validation_failed` (bad ip, hostname, mac...), 422 `no_subnet` when ip is outside " +
      "every subnet and allow_orphan is not set, 409 `duplicate_host`.",
    security,
    request: { query: OrphanQuery, body: jsonBody(HostCreateBody) },
    responses: { 201: jsonResponse(HostSchema, "Created"), ...errorResponses },
  }),
  async (c) => {
    const { allow_orphan, ...rest } = c.req.valid("json");
    const input = validate(HostCreateSchema, rest);
    const { db, kv } = c.get("deps");
    const host = await createHost(db, input, {
      allowOrphan: allow_orphan || isTrue(c.req.valid("query").allow_orphan),
    });
    const [withState] = await hostsWithStatus(kv, [host]);
    return c.json(withState, 201);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/by-ip/{ip}",
    tags,
    summary: "Find a host by its address",
    security,
    request: {
      params: z.object({
        ip: safeString().openapi({ param: { name: "ip", in: "path" }, example: "198.51.100.10" }),
      }),
    },
    responses: { 200: jsonResponse(HostSchema, "The host"), ...errorResponses },
  }),
  async (c) => {
    const ip = parseIp(c.req.valid("param").ip).ip;
    const { db, kv } = c.get("deps");
    const host = await getHostByIp(db, ip);
    if (!host) throw notFound(`host ${ip}`);
    const [withState] = await hostsWithStatus(kv, [host]);
    return c.json(withState, 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    summary: "One host with its live status",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(HostSchema, "The host"), ...errorResponses },
  }),
  async (c) => {
    const { db, kv } = c.get("deps");
    const host = await requireHost(db, c.req.valid("param").id);
    const [withState] = await hostsWithStatus(kv, [host]);
    return c.json(withState, 200);
  },
);

api.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    summary: "Change a host; a new ip re-derives its subnet",
    security,
    request: { params: IdParam, query: OrphanQuery, body: jsonBody(HostPatchBody) },
    responses: { 200: jsonResponse(HostSchema, "Updated"), ...errorResponses },
  }),
  async (c) => {
    const { allow_orphan, ...rest } = c.req.valid("json");
    const patch = validate(HostChangeSchema, rest);
    const { db, kv } = c.get("deps");
    const before = patch.ip === undefined ? null : await requireHost(db, c.req.valid("param").id);
    const host = await updateHost(db, c.req.valid("param").id, patch, {
      allowOrphan: allow_orphan || isTrue(c.req.valid("query").allow_orphan),
    });
    // A moved host leaves no live state at its old address (it would still count as alive).
    if (before && before.ip !== host.ip) await deleteStates(kv, [before.ip]);
    const [withState] = await hostsWithStatus(kv, [host]);
    return c.json(withState, 200);
  },
);

api.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    summary: "Delete a host",
    security,
    request: { params: IdParam },
    responses: { 204: { description: "Deleted" }, ...errorResponses },
  }),
  async (c) => {
    const { db, kv } = c.get("deps");
    const { ip } = await deleteHost(db, c.req.valid("param").id);
    await deleteStates(kv, [ip]); // a deleted host must not linger as "alive now"
    return c.body(null, 204);
  },
);

import { registerHostDiscoveryRoutes } from "@/routes/api/v1/_sweep_routes.ts";
import { deleteStates } from "@/services/sweeps/mod.ts";
registerHostDiscoveryRoutes(api);
import { registerHostPortRoutes } from "@/routes/api/v1/_port_routes.ts";
registerHostPortRoutes(api);
import { registerHostSnmpRoutes } from "./_snmp_routes.ts";
registerHostSnmpRoutes(api);

export default api;
