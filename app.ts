// The HTTP application, composed in the order a request travels through it.
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import { AppError } from "@/services/errors.ts";
import { audit, describeChange } from "@/services/auth/mod.ts";
import { changeFacts } from "@/web/audit_facts.ts";
import { forgetReads } from "@/services/store/mod.ts";
import type { AppEnv, Deps, PageHandler } from "@/web/env.ts";
import { errorResponse } from "@/web/http_errors.ts";
import { ErrorSchema } from "@/web/api_schemas.ts";
import { withSharedErrors } from "@/web/openapi_document.ts";
import { log } from "@/services/logger.ts";
import { parseCidrList, requestOrigin } from "@/web/client_ip.ts";
import { csrfProtection, identify, requireLogin } from "@/web/auth_middleware.ts";
import { serveFrom } from "@/web/static_files.ts";
import { pageInputGuard } from "@/web/page_input_guard.ts";
import { routes } from "@/routes.gen.ts";
import { VERSION } from "@/web/version.ts";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const PAGE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
/** Uploads (CSV imports) may be larger than ordinary JSON bodies. */
const UPLOAD_PATHS = /^\/(api\/v1\/)?import\//;

export function createApp(deps: Deps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  const proxy = {
    enabled: deps.cfg.TRUST_PROXY,
    ranges: parseCidrList(deps.cfg.TRUSTED_PROXIES.join(",")),
  };

  // 1. Context: dependencies, request id, client address, access log.
  app.use("*", async (c, next) => {
    c.set("deps", deps);
    c.set("requestId", crypto.randomUUID());
    const origin = requestOrigin(c, proxy);
    c.set("clientIp", origin.ip);
    c.set("https", origin.https);
    c.set("openapiDocument", openapiDocument);
    const started = performance.now();
    await next();
    if (log.enabled("info") && !c.req.path.startsWith("/_build/")) {
      log.info("request", {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
        user: c.get("user")?.username,
      });
    }
  });

  // 2. Safe headers on every response.
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
      referrerPolicy: "same-origin",
      crossOriginEmbedderPolicy: false,
    }),
  );

  // 3. Bounded bodies: a clear 413 instead of reading without end.
  app.use("*", async (c, next) => {
    if (!UNSAFE.has(c.req.method)) return next();
    const max = UPLOAD_PATHS.test(c.req.path) ? deps.cfg.MAX_UPLOAD_BYTES : deps.cfg.MAX_BODY_BYTES;
    return await bodyLimit({
      maxSize: max,
      onError: () => {
        throw new AppError(413, "payload_too_large", `request body larger than ${max} bytes`);
      },
    })(c, next);
  });

  // 4. Static assets, before any auth work.
  app.get("/static/*", serveFrom(new URL("./static/", import.meta.url), "/static/"));
  app.get("/_build/*", serveFrom(new URL("./_build/", import.meta.url), "/_build/"));

  // 5. Identity, then the gates: login, forced password change, roles, CSRF.
  app.use("*", identify());
  app.use("*", requireLogin());
  app.use("*", csrfProtection());
  app.use("*", pageInputGuard());

  // 6. Audit every successful mutation (who, what, when).
  app.use("*", async (c, next) => {
    await next();
    // Whatever a write changed shows on the next read: memoized read models are forgotten.
    if (UNSAFE.has(c.req.method)) forgetReads(deps.db);
    if (UNSAFE.has(c.req.method) && c.res.status < 400 && c.get("user")) {
      await audit(deps.db, {
        username: c.get("user")?.username ?? null,
        action: `${c.req.method} ${c.req.path}`,
        detail: { summary: describeChange(await changeFacts(c)) },
        clientIp: c.get("clientIp"),
      });
    }
  });

  // 7. Routes from routes/ (file-based, see routes.gen.ts).
  for (const r of routes) {
    const mod = r.module as Record<string, unknown>;
    if (r.api) {
      app.route(r.path, mod.default as OpenAPIHono<AppEnv>);
      continue;
    }
    for (const method of PAGE_METHODS) {
      const handler = mod[method] as PageHandler | undefined;
      if (handler) app.on(method, r.path, handler);
    }
  }

  const docConfig = {
    openapi: "3.1.0",
    info: {
      title: "Pingfold API",
      version: VERSION,
      description: "IP address management and live network monitoring. Authenticate with " +
        "`Authorization: Bearer <token>` (create one at POST /api/v1/tokens) or a session " +
        "cookie plus the X-CSRF-Token header.",
    },
    servers: [{ url: "/" }],
  };
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
  });
  app.openAPIRegistry.register("Error", ErrorSchema);
  // Built once, on first use: every route is registered by then.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  const openapiDocument = () => document ??= withSharedErrors(app.getOpenAPI31Document(docConfig));
  app.get("/openapi.json", (c) => c.json(openapiDocument()));

  // 8. One place for errors and unknown paths.
  app.notFound((c) =>
    errorResponse(c, new AppError(404, "not_found", `no route for ${c.req.path}`))
  );
  app.onError((err, c) => errorResponse(c, err));
  return app;
}
