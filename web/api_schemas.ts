// OpenAPI schemas and responses shared by many API routes.
import { z } from "@hono/zod-openapi";
import { idParam, safeString } from "@/services/input_rules.ts";

/** The one set of input rules every HTTP schema uses (NUL, lone surrogates, strict integers). */
export { idParam, intParam, MAX_ID, safeString } from "@/services/input_rules.ts";

export const ErrorSchema = z.object({
  error: z.object({
    code: safeString().openapi({ example: "validation_failed" }),
    message: safeString().openapi({ example: 'invalid body: cidr: invalid CIDR "10.0.0.300/24"' }),
    details: z.unknown().optional(),
  }),
}).openapi("Error");

const err = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});

/**
 * Error answers a route's handler may give. Those of the shared middleware (400 malformed body,
 * 401/403 login/role/CSRF, 413 body limit, 422 validation, 500) are added to every operation by
 * withSharedErrors (openapi_document.ts) from what the operation is, not listed per route.
 */
export const errorResponses = {
  404: err("Not found"),
  409: err("Conflict"),
};

/** For routes that limit how often they may be called: 429 with Retry-After. */
export const rateLimitedResponse = {
  429: err("Too many requests; Retry-After says when to try again"),
};

/**
 * A registered (named) schema or null. `.nullable()` on a named schema renders as
 * `allOf: [$ref, {type: [object, null]}]`, which refuses null because the $ref does.
 */
export const nullableRef = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const UserSchema = z.object({
  id: z.number().int(),
  username: safeString(),
  role: z.enum(["admin", "editor", "viewer"]),
  must_change_password: z.boolean(),
  disabled: z.boolean().openapi({
    description: "A disabled user cannot log in; their sessions and API tokens stop working",
  }),
}).openapi("User");

export const IdParam = z.object({
  id: idParam().openapi({ param: { name: "id", in: "path" }, example: 1 }),
});

export const security = [{ bearer: [] }];
