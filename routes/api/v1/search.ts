// /api/v1/search: quick search over hosts and subnets (ip, prefix, CIDR, MAC, tag:, free text).
import { createRoute, z } from "@hono/zod-openapi";
import { hostsWithStatus, quickSearch } from "@/services/ipam/mod.ts";
import { HostSchema, queryText, SubnetSchema } from "@/web/ipam_schemas.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, intParam, jsonResponse, safeString, security } from "@/web/api_schemas.ts";

const api = apiRouter();

api.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["search"],
    summary: "Search hosts and subnets",
    description: "`q` is read as: an address (exact host, or hosts starting with it, and the " +
      "subnets containing it), a CIDR (hosts inside, subnets overlapping), an address or MAC " +
      "prefix (`198.51.100.`, `2001:db8:`, `00:00:5e`), a MAC, `tag:<name>`, or text matched " +
      "in hostname, description, notes, tags, subnet name and location.",
    security,
    request: {
      query: z.object({
        q: queryText(200).trim().min(1, "q is required").openapi({ example: "198.51.100." }),
        limit: intParam(1, 1000).optional().openapi({
          description: "Most hosts and most subnets returned (each); default 50",
        }),
      }),
    },
    responses: {
      200: jsonResponse(
        z.object({
          query: safeString(),
          kind: z.enum(["ip", "cidr", "prefix", "mac", "tag", "text"]),
          subnets: z.array(SubnetSchema),
          hosts: z.array(HostSchema),
          truncated: z.boolean(),
        }),
        "Matches",
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { q, limit } = c.req.valid("query");
    const { db, kv } = c.get("deps");
    const found = await quickSearch(db, q, { limit: limit ?? 50 });
    return c.json({ ...found, hosts: await hostsWithStatus(kv, found.hosts) }, 200);
  },
);

export default api;
