// POST /settings/users: an admin creates a user, sets a role, resets a password or disables one.
import { uiWords } from "@/shared/ui_words.ts";
import type { AppContext } from "@/web/env.ts";
import {
  createUser,
  destroyUserSessions,
  isRole,
  requireRole,
  setDisabled,
  setPassword,
  setRole,
} from "@/services/auth/mod.ts";
import { AppError } from "@/services/errors.ts";
import { renderSettings } from "./index.tsx";

const field = (form: Record<string, unknown>, name: string) =>
  typeof form[name] === "string" ? (form[name] as string) : "";

export async function POST(c: AppContext) {
  const me = c.get("user")!;
  requireRole(me, "admin");
  const { db, kv } = c.get("deps");
  const form = await c.req.parseBody();
  const action = field(form, "_action");
  const id = /^[1-9]\d{0,15}$/.test(field(form, "user_id")) ? Number(field(form, "user_id")) : 0;
  const role = field(form, "role");
  try {
    let notice: string;
    if (action === "create") {
      if (!isRole(role)) throw new AppError(422, "validation_failed", "choose a role");
      const u = await createUser(db, {
        username: field(form, "username").trim(),
        password: field(form, "password"),
        role,
        mustChangePassword: true,
      });
      notice =
        `User ${u.username} created as ${u.role}; they choose a new password at first login.`;
    } else if (action === "role" && id) {
      if (!isRole(role)) throw new AppError(422, "validation_failed", "choose a role");
      const u = await setRole(db, id, role);
      notice = `${u.username} is now ${u.role}.`;
    } else if (action === "password" && id) {
      await setPassword(db, id, field(form, "password"), { mustChange: true });
      await destroyUserSessions(kv, id);
      notice = "Password reset; the user is logged out and must choose a new one at next login.";
    } else if ((action === "disable" || action === "enable") && id) {
      if (action === "disable" && id === me.id) {
        throw new AppError(409, "self_disable", "you cannot disable yourself");
      }
      const u = await setDisabled(db, id, action === "disable");
      if (u.disabled) await destroyUserSessions(kv, id);
      notice = u.disabled
        ? `${u.username} is disabled and logged out.`
        : `${u.username} is enabled.`;
    } else {
      throw new AppError(422, "validation_failed", "unknown user action");
    }
    return renderSettings(c, undefined, 200, undefined, { notice });
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    return renderSettings(c, undefined, e.status, undefined, { error: uiWords(e.message, e.code) });
  }
}
