// Types shared by the HTTP layer: what every request handler can read from the context.
import type { Context } from "hono";
import type { AuthUser } from "@/services/auth/mod.ts";
import type { Deps } from "@/services/services.ts";

export type { AuthUser, Deps };

export type AppEnv = {
  Variables: {
    deps: Deps;
    user: AuthUser | null;
    sessionId: string | null;
    csrfToken: string | null;
    authVia: "session" | "token" | null;
    clientIp: string;
    /** The browser reached us over HTTPS (directly or as the trusted proxy says). */
    https: boolean;
    requestId: string;
    /** The OpenAPI document of this app (GET /docs renders it). */
    openapiDocument: () => unknown;
  };
};

export type AppContext = Context<AppEnv>;
export type PageHandler = (c: AppContext) => Response | Promise<Response>;
