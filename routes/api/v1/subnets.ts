// /api/v1/subnets: subnet CRUD, the folded address view, gap expansion and next free address.
import { createRoute, z } from "@hono/zod-openapi";
import { subnetWriteOptions } from "@/services/sweeps/mod.ts";
import { intervalProblem, sweptEveryS } from "@/shared/scan_interval.ts";
import {
  errorResponses,
  IdParam,
  intParam,
  jsonBody,
  jsonResponse,
  safeString,
  security,
} from "@/web/api_schemas.ts";
import { AppError } from "@/services/errors.ts";
import {
  createSubnet,
  deleteSubnet,
  expandFree,
  listSubnetSummaries,
  loadSubnetAddresses,
  nextFreeAddress,
  parseCidr,
  parseRangeParam,
  requireSubnet,
  type SubnetFilter,
  SubnetInputSchema,
  SubnetPatchSchema,
  summarizeSubnets,
  updateSubnet,
  validate,
} from "@/services/ipam/mod.ts";
import {
  AddressRowSchema,
  pagingQuery,
  queryText,
  SubnetCreateBody,
  SubnetPatchBody,
  SubnetSchema,
  UtilizationSchema,
} from "@/web/ipam_schemas.ts";
import { DEFAULT_PAGE_LIMIT, keysetPage, pageResponse } from "@/web/api_paging.ts";
import { apiRouter } from "@/web/api_router.ts";

const api = apiRouter();
const tags = ["subnets"];

/** Parses the cidr first so its precise error (and `details.network`) reaches the client. */
function cidrOf(text: string, normalize: boolean | undefined): string {
  return parseCidr(text, { normalize: !!normalize }).cidr;
}

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "List subnets in address order (a parent before its children) with utilization",
    security,
    request: {
      query: z.object({
        q: queryText(200).optional().openapi({
          description: "Text in name, description, location or tags, or the start of the cidr",
        }),
        tag: queryText(64).optional(),
        family: z.enum(["4", "6"]).optional(),
        within: safeString().optional().openapi({
          description: "Only subnets inside this prefix",
          example: "10.0.0.0/8",
        }),
        ...pagingQuery,
      }),
    },
    responses: {
      200: pageResponse(SubnetSchema, "Subnets"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const { db, kv } = c.get("deps");
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const filter: SubnetFilter = {
      q: query.q,
      tag: query.tag,
      family: query.family ? (Number(query.family) as 4 | 6) : undefined,
      within: query.within ? parseCidr(query.within, { normalize: true }).cidr : undefined,
      after: query.cursor ? parseCidr(query.cursor).cidr : undefined,
      limit: limit + 1,
    };
    const summaries = await listSubnetSummaries(db, kv, filter);
    return c.json(keysetPage(summaries, limit, (s) => s.cidr), 200);
  },
);

/**
 * 422 `interval_not_kept` for an interval the scheduler would not keep (30 s on a one-minute
 * tick): a subnet's interval is the one it is swept at.
 */
function assertIntervalKept(
  c: { get(k: "deps"): { cfg: { SCAN_ICMP_INTERVAL_SECONDS: number } } },
  s?: number,
) {
  if (s === undefined) return;
  const floor = c.get("deps").cfg.SCAN_ICMP_INTERVAL_SECONDS;
  const problem = intervalProblem(s, floor);
  if (problem) {
    throw new AppError(422, "interval_not_kept", problem, {
      scan_interval_s: s,
      swept_every_s: sweptEveryS(s, floor),
    });
  }
}

api.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags,
    summary: "Create a subnet; it joins the tree (parent, children and hosts are re-derived)",
    description: "Errors: 422 `invalid_cidr` with a precise reason (`octet 300 > 255`, or host " +
      "bits set naming the network in `details.network`), 422 `validation_failed`, " +
      "409 `duplicate_subnet`, 422 `outside_scan_scope` when `scan_enabled` is true for a " +
      "subnet outside the scan scope, 422 `interval_not_kept` when the scheduler could not keep " +
      "`scan_interval_s` (sweeps start each minute, or every SCAN_ICMP_INTERVAL_SECONDS when " +
      "shorter, and never closer than that; `details.swept_every_s` says what it would be).",
    security,
    request: { body: jsonBody(SubnetCreateBody) },
    responses: { 201: jsonResponse(SubnetSchema, "Created"), ...errorResponses },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const { normalize, ...rest } = body;
    const input = validate(SubnetInputSchema, { ...rest, cidr: cidrOf(body.cidr, normalize) });
    assertIntervalKept(c, input.scan_interval_s);
    const { db, kv } = c.get("deps");
    const created = await createSubnet(db, input, {
      ...await subnetWriteOptions(c.get("deps")),
    });
    const [summary] = await summarizeSubnets(db, kv, [created]);
    return c.json(summary, 201);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    summary: "One subnet with its utilization",
    security,
    request: { params: IdParam },
    responses: { 200: jsonResponse(SubnetSchema, "The subnet"), ...errorResponses },
  }),
  async (c) => {
    const { db, kv } = c.get("deps");
    const subnet = await requireSubnet(db, c.req.valid("param").id);
    const [summary] = await summarizeSubnets(db, kv, [subnet]);
    return c.json(summary, 200);
  },
);

api.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    summary: "Change a subnet; a new cidr moves it in the tree",
    description: "A new cidr that would leave some of the subnet's hosts outside it is refused " +
      "with 409 `hosts_outside_cidr` (`details.hosts` = how many) unless `orphans` says what " +
      "to do with them: `move_to_parent` (they go to the parent subnet, or to no subnet when " +
      "there is none) or `delete`. Turning scanning on (or moving a scanned subnet) outside " +
      "the scan scope is 422 `outside_scan_scope`; an interval the scheduler could not keep is " +
      "422 `interval_not_kept`.",
    security,
    request: { params: IdParam, body: jsonBody(SubnetPatchBody) },
    responses: { 200: jsonResponse(SubnetSchema, "Updated"), ...errorResponses },
  }),
  async (c) => {
    const { normalize, orphans, ...rest } = c.req.valid("json");
    const patch = validate(SubnetPatchSchema, {
      ...rest,
      ...(rest.cidr !== undefined ? { cidr: cidrOf(rest.cidr, normalize) } : {}),
    });
    assertIntervalKept(c, patch.scan_interval_s);
    const { db, kv } = c.get("deps");
    const updated = await updateSubnet(db, c.req.valid("param").id, patch, {
      orphans,
      ...await subnetWriteOptions(c.get("deps")),
    });
    const [summary] = await summarizeSubnets(db, kv, [updated]);
    return c.json(summary, 200);
  },
);

api.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    summary: "Delete a subnet",
    description: "A subnet with child subnets or hosts needs `cascade` (otherwise 409 " +
      "`subnet_not_empty` with the counts): `orphan` keeps them (children move up to the " +
      "parent, hosts go to the parent or have no subnet), `hosts` deletes the hosts assigned " +
      "to this subnet (children move up), `all` deletes every subnet and host inside the prefix.",
    security,
    request: {
      params: IdParam,
      query: z.object({ cascade: z.enum(["orphan", "hosts", "all"]).optional() }),
    },
    responses: {
      200: jsonResponse(
        z.object({
          deleted_subnets: z.number().int(),
          deleted_hosts: z.number().int(),
          reparented_subnets: z.number().int(),
          reassigned_hosts: z.number().int(),
        }),
        "Deleted",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const result = await deleteSubnet(
      c.get("deps").db,
      c.req.valid("param").id,
      c.req.valid("query").cascade,
    );
    return c.json(result, 200);
  },
);

const AddressesQuery = z.object({
  order: z.enum(["address", "alive_first"]).optional().openapi({
    description: "address (default): hosts and gaps interleaved; alive_first: up hosts, then " +
      "down, then unknown, then the gaps",
  }),
  expand: safeString().optional().openapi({
    description: "first-last of one gap: returns its real free addresses instead, paged",
    example: "198.51.100.15-198.51.100.200",
  }),
  offset: intParam(0).optional(),
  limit: intParam(1, 1000).optional().openapi({ example: 100 }),
  cursor: safeString().regex(/^\d+$/).optional(),
});

api.openapi(
  createRoute({
    method: "get",
    path: "/{id}/addresses",
    tags,
    summary: "Folded address view: host rows and gap rows in address order",
    description: 'Rows are `{kind:"host",...}` or `{kind:"gap",first,last,count}` with ' +
      "`count` an exact decimal string. With `expand=first-last` the response lists the free " +
      "addresses of that gap instead (`items` are address strings), paged by offset/limit.",
    security,
    request: { params: IdParam, query: AddressesQuery },
    responses: {
      200: jsonResponse(
        z.union([
          z.object({
            items: z.array(AddressRowSchema),
            next_cursor: safeString().nullable(),
            total_rows: z.number().int(),
            utilization: UtilizationSchema,
            next_free: safeString().nullable(),
          }),
          z.object({
            first: safeString(),
            last: safeString(),
            total: safeString(),
            items: z.array(safeString()),
            next_cursor: safeString().nullable(),
          }),
        ]),
        "Rows, or one gap's free addresses",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { db, kv } = c.get("deps");
    const subnet = await requireSubnet(db, c.req.valid("param").id);
    const query = c.req.valid("query");
    const offset = query.offset ?? (query.cursor ? Number(query.cursor) : 0);
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    if (query.expand) {
      const { first, last } = parseRangeParam(query.expand);
      const page = await expandFree(db, subnet, first, last, { offset, limit });
      return c.json({
        first: page.first,
        last: page.last,
        total: page.total,
        items: page.items,
        next_cursor: page.next_offset === null ? null : String(page.next_offset),
      }, 200);
    }
    const view = await loadSubnetAddresses(db, kv, subnet, { order: query.order, offset, limit });
    return c.json({
      items: view.rows,
      next_cursor: view.next_offset === null ? null : String(view.next_offset),
      total_rows: view.total_rows,
      utilization: view.utilization,
      next_free: view.next_free,
    }, 200);
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/{id}/next-free",
    tags,
    summary: "Lowest free usable address of the subnet",
    description: "409 `subnet_full` when every usable address is taken.",
    security,
    request: { params: IdParam },
    responses: {
      200: jsonResponse(z.object({ ip: safeString(), subnet_id: z.number().int() }), "Free"),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { db } = c.get("deps");
    const subnet = await requireSubnet(db, c.req.valid("param").id);
    const ip = await nextFreeAddress(db, subnet);
    if (!ip) throw new AppError(409, "subnet_full", `subnet ${subnet.cidr} has no free address`);
    return c.json({ ip, subnet_id: subnet.id }, 200);
  },
);

import { registerSubnetDiscoveryRoutes } from "@/routes/api/v1/_sweep_routes.ts";
registerSubnetDiscoveryRoutes(api);
import { registerSubnetSnmpRoutes } from "./_snmp_routes.ts";
registerSubnetSnmpRoutes(api);

export default api;
