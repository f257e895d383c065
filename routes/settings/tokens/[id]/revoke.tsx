// POST /settings/tokens/:id/revoke: revoke a token from the settings page.
import type { AppContext } from "@/web/env.ts";
import { revokeApiToken } from "@/services/auth/mod.ts";
import { AppError } from "@/services/errors.ts";
import { strictId } from "@/services/input_rules.ts";

export async function POST(c: AppContext) {
  const id = strictId(c.req.param("id"));
  if (id === null) throw new AppError(404, "not_found", "token not found");
  const user = c.get("user")!;
  await revokeApiToken(c.get("deps").db, id, { byUserId: user.id, isAdmin: user.role === "admin" });
  return c.redirect("/settings", 303);
}
