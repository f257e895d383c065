// Auth domain: users, passwords, sessions, API tokens, rate limits, roles and the audit log.
export type { AuthUser } from "./auth_user.ts";
export {
  ARGON2_PARAMS,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  needsRehash,
  validateNewPassword,
  verifyPassword,
} from "./password.ts";
export {
  authenticate,
  createUser,
  DEFAULT_ADMIN_USERNAME,
  type DefaultAdminResult,
  deleteUser,
  ensureDefaultAdmin,
  findUserByUsername,
  getSessionUser,
  getUser,
  isRole,
  listUsers,
  type NewUser,
  type Role,
  ROLES,
  setDisabled,
  setPassword,
  setRole,
  type User,
  USERNAME_PATTERN,
  type UserWithHash,
} from "./users.ts";
export {
  type Clock,
  createSession,
  type CreateSessionInput,
  csrfTokenMatches,
  destroySession,
  destroyUserSessions,
  getSession,
  listUserSessionIds,
  type Session,
  type SessionData,
  TOUCH_INTERVAL_MS,
} from "./sessions.ts";
export {
  type ApiTokenInfo,
  authenticateToken,
  createApiToken,
  listApiTokens,
  looksLikeApiToken,
  revokeApiToken,
} from "./tokens.ts";
export {
  createRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitResult,
} from "./rate_limit.ts";
export { audit, type AuditEntry, type AuditInput, listAudit } from "./audit.ts";
export { type ChangeFacts, describeChange } from "./audit_words.ts";
export { canMutate, hasRole, requireRole } from "./roles.ts";
export { timingSafeEqual, timingSafeEqualString } from "./constant_time.ts";
export { randomToken } from "./secure_random.ts";
