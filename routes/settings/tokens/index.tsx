// POST /settings/tokens: create an API token from the settings page; it is shown once.
import type { AppContext } from "@/web/env.ts";
import { createApiToken } from "@/services/auth/mod.ts";
import { AppError } from "@/services/errors.ts";
import { renderSettings } from "../index.tsx";

export async function POST(c: AppContext) {
  const form = await c.req.parseBody();
  const name = typeof form.name === "string" ? form.name.trim() : "";
  if (!name || name.length > 100) {
    throw new AppError(422, "invalid_name", "a token name of 1 to 100 characters is required");
  }
  const t = await createApiToken(c.get("deps").db, { userId: c.get("user")!.id, name });
  return renderSettings(c, t.token, 201);
}
