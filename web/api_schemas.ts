// OpenAPI schemas and responses shared by many API routes.
import { z } from "@hono/zod-openapi";

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string().openapi({ example: "validation_failed" }),
    message: z.string().openapi({ example: 'invalid body: cidr: invalid CIDR "10.0.0.300/24"' }),
    details: z.unknown().optional(),
  }),
}).openapi("Error");

const err = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});

/** The error responses every authenticated route can give. */
export const errorResponses = {
  400: err("Malformed request"),
  401: err("Not authenticated"),
  403: err("Not allowed (role, CSRF or forced password change)"),
  404: err("Not found"),
  409: err("Conflict"),
  422: err("Invalid input"),
  429: err("Too many requests"),
};

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
  username: z.string(),
  role: z.enum(["admin", "editor", "viewer"]),
  must_change_password: z.boolean(),
}).openapi("User");

export const IdParam = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" }, example: 1 }),
});

export const security = [{ bearer: [] }];
