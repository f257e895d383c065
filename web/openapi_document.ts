// The served OpenAPI document: the routes' own declarations plus the error answers that the
// shared middleware (body limit, login, roles and CSRF, validation, the error handler) gives.
const UNSAFE = new Set(["post", "put", "patch", "delete"]);
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

interface Operation {
  security?: unknown[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}

const ERROR_REF = { $ref: "#/components/schemas/Error" };
const err = (description: string) => ({
  description,
  content: { "application/json": { schema: ERROR_REF } },
});

/**
 * Which middleware answers an operation can get, by what the operation is: a rule here instead of
 * the same spread in every route, so a new route is documented truthfully without doing anything.
 */
function sharedErrors(method: string, op: Operation): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (op.requestBody) out[400] = err("Malformed body (`malformed_json`)");
  if (op.security?.length) {
    out[401] = err("Not authenticated (`unauthorized`): no session or token, or an expired one");
    out[403] = err("Not allowed: the role, a missing CSRF token, or a forced password change");
  }
  if (UNSAFE.has(method)) {
    out[413] = err(
      "Body larger than MAX_BODY_BYTES (MAX_UPLOAD_BYTES for imports): `payload_too_large`",
    );
  }
  if (op.parameters?.length || op.requestBody) {
    out[422] = err("Invalid input (`validation_failed`); the message names the field");
  }
  out[500] = err("Internal error (`internal`); the server log has the details");
  return out;
}

/**
 * Adds the shared error answers to every operation of `doc`; a route's own declaration of the
 * same status wins. They point at the `Error` component, which app.ts registers.
 */
export function withSharedErrors<T extends { paths?: object }>(doc: T): T {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const item of Object.values(paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) op.responses = { ...sharedErrors(method, op), ...op.responses };
    }
  }
  return doc;
}
