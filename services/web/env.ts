// Types shared by the HTTP layer: what every request handler can read from the context.
import type { Context } from "hono";
import type { Config } from "@/services/config/config.ts";
import type { Db } from "@/services/store/mod.ts";

export interface AuthUser {
  id: number;
  username: string;
  role: "admin" | "editor" | "viewer";
  must_change_password: boolean;
}

/** Everything a handler may touch, built once in main.ts (or per test) and injected. */
export interface Deps {
  cfg: Config;
  db: Db;
  kv: Deno.Kv;
  /** Milliseconds since the epoch; tests pass their own clock. */
  now: () => number;
  version: string;
  /** Late-bound services registered by domains (scheduler, netflow collector…). */
  services: Record<string, unknown>;
}

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
  };
};

export type AppContext = Context<AppEnv>;
export type PageHandler = (c: AppContext) => Response | Promise<Response>;
