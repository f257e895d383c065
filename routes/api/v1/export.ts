// /api/v1/export: hosts.csv and subnets.csv (filterable), streamed, with formula cells neutralized.
import { createRoute, z } from "@hono/zod-openapi";
import { hostsCsvStream, parseCidr, requireSubnet, subnetsCsvStream } from "@/services/ipam/mod.ts";
import { boolQuery, isTrue, queryText } from "@/web/ipam_schemas.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, idParam, safeString, security } from "@/web/api_schemas.ts";

const api = apiRouter();
const tags = ["export"];

const csvResponse = (description: string) => ({
  description,
  content: { "text/csv": { schema: safeString() } },
});

const common = {
  q: queryText(200).optional().openapi({ description: "Text filter, as in the list endpoints" }),
  tag: queryText(64).optional(),
  within: safeString().optional().openapi({
    description: "Only rows inside this prefix",
    example: "198.51.100.0/24",
  }),
  bom: boolQuery("Start with a UTF-8 BOM (helps Excel with non-ASCII text)"),
};

function csvHeaders(name: string): Record<string, string> {
  const day = new Date().toISOString().slice(0, 10);
  return {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="pingfold-${name}-${day}.csv"`,
    "cache-control": "no-store",
  };
}

api.openapi(
  createRoute({
    method: "get",
    path: "/hosts.csv",
    tags,
    summary: "Export hosts as CSV (the import's own columns)",
    description: "Cells starting with = + - @, tab or CR get a leading apostrophe so " +
      "spreadsheets do not run them as formulas; the importer removes it again.",
    security,
    request: {
      query: z.object({
        ...common,
        subnet_id: idParam().optional().openapi({
          description: "Hosts inside this subnet's prefix (child subnets included)",
        }),
      }),
    },
    responses: { 200: csvResponse("hosts.csv"), ...errorResponses },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const { db } = c.get("deps");
    let within = query.within ? parseCidr(query.within, { normalize: true }).cidr : undefined;
    if (query.subnet_id) within = (await requireSubnet(db, query.subnet_id)).cidr;
    const body = hostsCsvStream(db, { q: query.q, tag: query.tag, within }, {
      bom: isTrue(query.bom),
    });
    return c.body(body, 200, csvHeaders("hosts"));
  },
);

api.openapi(
  createRoute({
    method: "get",
    path: "/subnets.csv",
    tags,
    summary: "Export subnets as CSV (the import's own columns)",
    security,
    request: {
      query: z.object({ ...common, family: z.enum(["4", "6"]).optional() }),
    },
    responses: { 200: csvResponse("subnets.csv"), ...errorResponses },
  }),
  (c) => {
    const query = c.req.valid("query");
    const body = subnetsCsvStream(c.get("deps").db, {
      q: query.q,
      tag: query.tag,
      family: query.family ? (Number(query.family) as 4 | 6) : undefined,
      within: query.within ? parseCidr(query.within, { normalize: true }).cidr : undefined,
    }, { bom: isTrue(query.bom) });
    return c.body(body, 200, csvHeaders("subnets"));
  },
);

export default api;
