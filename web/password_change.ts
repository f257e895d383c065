// Changing one's own password, for the form and the API alike.
import {
  audit,
  createRateLimiter,
  destroyUserSessions,
  findUserByUsername,
  setPassword,
  validateNewPassword,
  verifyPassword,
} from "@/services/auth/mod.ts";
import { AppError } from "@/services/errors.ts";
import type { AppContext } from "./env.ts";
import { tooMany } from "./login_flow.ts";

export async function changeOwnPassword(c: AppContext, current: string, next: string) {
  const { db, kv, cfg, now } = c.get("deps");
  const user = c.get("user");
  if (!user) throw new AppError(401, "unauthorized", "log in first");
  // A stolen session must not become a password oracle: the check is throttled like a login.
  const checks = createRateLimiter(kv, {
    prefix: "password_check",
    max: cfg.LOGIN_MAX_ATTEMPTS,
    windowMs: cfg.LOGIN_WINDOW_SECONDS * 1000,
    now,
  });
  const key = String(user.id);
  const byUser = await checks.hit(key);
  if (!byUser.allowed) throw tooMany(byUser.retryAfterSeconds, "current-password checks");
  const record = await findUserByUsername(db, user.username);
  if (!record || !(await verifyPassword(current, record.password_hash))) {
    throw new AppError(422, "wrong_password", "the current password is not correct");
  }
  await checks.reset(key);
  if (current === next) {
    throw new AppError(422, "weak_password", "the new password must differ from the current one");
  }
  validateNewPassword(next, { username: user.username });
  await setPassword(db, user.id, next, { mustChange: false });
  // Other sessions of this user end; the caller keeps its own.
  const keep = c.get("sessionId");
  await destroyUserSessions(kv, user.id, keep ? { exceptId: keep } : {});
  await audit(db, {
    username: user.username,
    action: "password_changed",
    clientIp: c.get("clientIp"),
  });
}
