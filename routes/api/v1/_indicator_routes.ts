// Indicator endpoints of one owner kind (hosts or servers), mounted at /{kind}/{id}/indicators.
import { createRoute, z } from "@hono/zod-openapi";
import {
  deleteIndicator,
  getIndicator,
  indicatorHistory,
  IndicatorInputSchema,
  IndicatorNameSchema,
  type IndicatorOwner,
  IndicatorValueSchema,
  listIndicators,
  upsertIndicator,
} from "@/services/inventory/mod.ts";
import { apiRouter } from "@/web/api_router.ts";
import { errorResponses, jsonBody, jsonResponse, safeString, security } from "@/web/api_schemas.ts";
import { IndicatorChangeSchema, IndicatorSchema, pathIdParam } from "./_inventory_schemas.ts";

export function indicatorRoutes(kind: "hosts" | "servers") {
  const api = apiRouter();
  const tags = ["indicators"];
  const owner = (id: number): IndicatorOwner =>
    kind === "hosts" ? { hostId: id } : { serverId: id };
  const Owner = z.object({ id: pathIdParam("id") });
  const Named = Owner.extend({
    name: IndicatorNameSchema.openapi({
      param: { name: "name", in: "path" },
      example: "disk_used",
    }),
  });
  const what = kind === "hosts" ? "a host" : "a server";

  api.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: `Indicators of ${what}`,
      security,
      request: { params: Owner },
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(IndicatorSchema), next_cursor: z.null() }),
          "Indicators",
        ),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json({
        items: await listIndicators(c.get("deps").db, owner(c.req.valid("param").id)),
        next_cursor: null,
      }, 200),
  );

  api.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: `Attach an indicator to ${what} (409 when the name exists; PUT upserts)`,
      security,
      request: { params: Owner, body: jsonBody(IndicatorInputSchema) },
      responses: { 201: jsonResponse(IndicatorSchema, "Created"), ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const r = await upsertIndicator(
        c.get("deps").db,
        owner(c.req.valid("param").id),
        body.name,
        body,
        { onlyCreate: true, sink: c.get("deps").services.alerts },
      );
      return c.json(r.indicator, 201);
    },
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/{name}",
      tags,
      summary: "One indicator",
      security,
      request: { params: Named },
      responses: { 200: jsonResponse(IndicatorSchema, "The indicator"), ...errorResponses },
    }),
    async (c) => {
      const p = c.req.valid("param");
      return c.json(await getIndicator(c.get("deps").db, owner(p.id), p.name), 200);
    },
  );

  api.openapi(
    createRoute({
      method: "put",
      path: "/{name}",
      tags,
      summary: "Create or replace an indicator's value (idempotent; for scripts)",
      description: "A numeric value with thresholds gets its status from them; otherwise the " +
        "given status (default unknown). Sending the same value again changes nothing.",
      security,
      request: { params: Named, body: jsonBody(IndicatorValueSchema) },
      responses: {
        200: jsonResponse(IndicatorSchema, "Replaced"),
        201: jsonResponse(IndicatorSchema, "Created"),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.req.valid("param");
      const deps = c.get("deps");
      const r = await upsertIndicator(deps.db, owner(p.id), p.name, c.req.valid("json"), {
        sink: deps.services.alerts,
      });
      return c.json(r.indicator, r.created ? 201 : 200);
    },
  );

  api.openapi(
    createRoute({
      method: "delete",
      path: "/{name}",
      tags,
      summary: "Remove an indicator and its history",
      security,
      request: { params: Named },
      responses: {
        200: jsonResponse(z.object({ deleted: z.boolean(), name: safeString() }), "Deleted"),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.req.valid("param");
      await deleteIndicator(c.get("deps").db, owner(p.id), p.name);
      return c.json({ deleted: true, name: p.name }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/{name}/history",
      tags,
      summary: "The last changes of an indicator, newest first",
      security,
      request: { params: Named },
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(IndicatorChangeSchema), next_cursor: z.null() }),
          "History",
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = c.req.valid("param");
      return c.json({
        items: await indicatorHistory(c.get("deps").db, owner(p.id), p.name),
        next_cursor: null,
      }, 200);
    },
  );
  return api;
}
