// User accounts: creation, lookup, password and role changes, login check, default admin.
import { type Db, memoRead, type Queryable } from "@/services/store/mod.ts";
import { AppError } from "@/services/errors.ts";
import {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  needsRehash,
  validateNewPassword,
  verifyPassword,
} from "./password.ts";

export const ROLES = ["admin", "editor", "viewer"] as const;
export type Role = typeof ROLES[number];

export interface User {
  id: number;
  username: string;
  role: Role;
  must_change_password: boolean;
  /** ISO 8601 UTC. */
  created_at: string;
  /** A disabled user cannot log in, and their sessions and tokens stop working. */
  disabled?: boolean;
}

export type UserWithHash = User & { password_hash: string };

export const USERNAME_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;
export const DEFAULT_ADMIN_USERNAME = "admin";

/**
 * An argon2id hash (of a random string nobody knows) at the same cost as real ones: verifying
 * against it makes a login for an unknown username take as long as one for a real account.
 */
export const DUMMY_PASSWORD_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$suR27aAxlVasPW/JU7HyDg$MjOsLYw5cLMgT+W9IqqeNBaVEUm3j/1nTRVr7Yb35rs";

const USER_COLUMNS =
  "id, username, role, must_change_password, created_at, disabled_at is not null as disabled";

type Row = Omit<User, "created_at"> & { created_at: Date | string; password_hash?: string };

function toUser(r: Row): User {
  return {
    id: Number(r.id),
    username: r.username,
    role: r.role,
    must_change_password: r.must_change_password,
    created_at: new Date(r.created_at).toISOString(),
    disabled: Boolean(r.disabled),
  };
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

function checkUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) {
    throw new AppError(
      422,
      "invalid_username",
      `invalid username ${JSON.stringify(username)}: expected 1-64 characters from ` +
        "letters, digits, '_', '.' and '-'",
    );
  }
}

function checkRole(role: unknown): asserts role is Role {
  if (!isRole(role)) {
    throw new AppError(
      422,
      "invalid_role",
      `invalid role ${JSON.stringify(role)}: expected one of ${ROLES.join(", ")}`,
    );
  }
}

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  mustChangePassword?: boolean;
}

/** 422 for a bad username, role or weak password; 409 when the name (any case) is taken. */
export async function createUser(db: Queryable, input: NewUser): Promise<User> {
  checkUsername(input.username);
  checkRole(input.role);
  validateNewPassword(input.password, { username: input.username });
  const hash = await hashPassword(input.password);
  const rows = await db.query<Row>(
    `insert into app_user (username, password_hash, role, must_change_password)
     values ($1, $2, $3, $4) on conflict do nothing returning ${USER_COLUMNS}`,
    [input.username, hash, input.role, input.mustChangePassword ?? false],
  );
  if (rows.length === 0) {
    throw new AppError(
      409,
      "username_taken",
      `username ${JSON.stringify(input.username)} is already taken (names are case-insensitive)`,
    );
  }
  return toUser(rows[0]);
}

/** Case-insensitive; includes the hash, so keep the result away from responses and logs. */
export async function findUserByUsername(
  db: Queryable,
  username: string,
): Promise<UserWithHash | null> {
  if (!USERNAME_PATTERN.test(username)) return null;
  const [row] = await db.query<Row & { password_hash: string }>(
    `select ${USER_COLUMNS}, password_hash from app_user where lower(username) = lower($1)`,
    [username],
  );
  return row ? { ...toUser(row), password_hash: row.password_hash } : null;
}

export async function getUser(db: Queryable, id: number): Promise<User | null> {
  if (!Number.isSafeInteger(id)) return null;
  const [row] = await db.query<Row>(`select ${USER_COLUMNS} from app_user where id = $1`, [id]);
  return row ? toUser(row) : null;
}

/**
 * The user behind a session, asked by every page view: memoized briefly (store/read_memo.ts),
 * like an API token's owner, since a role change, a disable or a password reset is a write that
 * forgets it. The object is shared between requests: callers must not change it.
 */
export function getSessionUser(db: Queryable, id: number): Promise<User | null> {
  return memoRead(db, `session_user:${id}`, () => getUser(db, id));
}

export async function listUsers(db: Queryable): Promise<User[]> {
  const rows = await db.query<Row>(
    `select ${USER_COLUMNS} from app_user order by lower(username)`,
  );
  return rows.map(toUser);
}

async function requireUser(db: Queryable, id: number): Promise<User> {
  const user = await getUser(db, id);
  if (!user) throw new AppError(404, "not_found", `user ${id} not found`);
  return user;
}

/**
 * Replaces the password (checked against the rules) and sets must_change_password.
 * Sessions live in KV: the caller should also destroyUserSessions after a change.
 */
export async function setPassword(
  db: Queryable,
  userId: number,
  newPassword: string,
  opts: { mustChange?: boolean } = {},
): Promise<User> {
  const user = await requireUser(db, userId);
  validateNewPassword(newPassword, { username: user.username });
  const hash = await hashPassword(newPassword);
  const [row] = await db.query<Row>(
    `update app_user set password_hash = $2, must_change_password = $3, updated_at = now()
     where id = $1 returning ${USER_COLUMNS}`,
    [userId, hash, opts.mustChange ?? false],
  );
  if (!row) throw new AppError(404, "not_found", `user ${userId} not found`);
  return toUser(row);
}

// Locks every admin row so two concurrent demotions/deletions cannot both pass the check.
async function assertNotLastAdmin(tx: Queryable, userId: number, doing: string): Promise<void> {
  // Disabled admins do not count: they cannot log in to administer anything.
  const admins = await tx.query<{ id: number }>(
    "select id from app_user where role = 'admin' and disabled_at is null for update",
  );
  const ids = admins.map((a) => Number(a.id));
  if (ids.length <= 1 && (ids.length === 0 || ids[0] === userId)) {
    throw new AppError(
      409,
      "last_admin",
      `cannot ${doing} the last admin; make another user admin first`,
    );
  }
}

/** 409 "last_admin" when this would leave no admin. */
export async function setRole(db: Db, userId: number, role: Role): Promise<User> {
  checkRole(role);
  return await db.tx(async (tx) => {
    const user = await requireUser(tx, userId);
    if (user.role === role) return user;
    if (user.role === "admin") await assertNotLastAdmin(tx, userId, "demote");
    const [row] = await tx.query<Row>(
      `update app_user set role = $2, updated_at = now() where id = $1 returning ${USER_COLUMNS}`,
      [userId, role],
    );
    return toUser(row);
  });
}

/** Disables or re-enables a user; 409 "last_admin" when the last enabled admin would go. */
export async function setDisabled(db: Db, userId: number, disabled: boolean): Promise<User> {
  return await db.tx(async (tx) => {
    const user = await requireUser(tx, userId);
    if (disabled && user.role === "admin") await assertNotLastAdmin(tx, userId, "disable");
    const [row] = await tx.query<Row>(
      `update app_user set disabled_at = case when $2 then coalesce(disabled_at, now()) end,
         updated_at = now() where id = $1 returning ${USER_COLUMNS}`,
      [userId, disabled],
    );
    return toUser(row);
  });
}

/** Deletes the user and (by cascade) their API tokens. 404 when missing, 409 for the last admin. */
export async function deleteUser(db: Db, userId: number): Promise<User> {
  return await db.tx(async (tx) => {
    const user = await requireUser(tx, userId);
    if (user.role === "admin") await assertNotLastAdmin(tx, userId, "delete");
    await tx.query("delete from app_user where id = $1", [userId]);
    return user;
  });
}

/**
 * The login check. Unknown users cost one argon2 verification too (against a dummy hash),
 * so response time does not reveal which usernames exist. Upgrades an outdated hash.
 */
export async function authenticate(
  db: Queryable,
  username: string,
  password: string,
): Promise<User | null> {
  // An over-long password can never have been set; still spend the same time on it.
  const candidate = password.length > MAX_PASSWORD_LENGTH * 4 ? "" : password;
  const found = await findUserByUsername(db, username);
  const ok = await verifyPassword(candidate, found?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!found || !ok || candidate !== password || found.disabled) return null;
  if (needsRehash(found.password_hash)) {
    await db.query("update app_user set password_hash = $2 where id = $1 and password_hash = $3", [
      found.id,
      await hashPassword(password),
      found.password_hash,
    ]);
  }
  const { password_hash: _, ...user } = found;
  return user;
}

export interface DefaultAdminResult {
  created: boolean;
  username: string;
  mustChangePassword: boolean;
}

/**
 * First start: when no user exists, creates "admin" with `adminPassword` (ADMIN_PASSWORD,
 * checked against the password rules) or "admin"/"admin" that must be changed at first login.
 * Idempotent; two processes starting together create one admin (guarded insert + unique name).
 */
export async function ensureDefaultAdmin(
  db: Queryable,
  adminPassword?: string,
): Promise<DefaultAdminResult> {
  const none = { created: false, username: DEFAULT_ADMIN_USERNAME, mustChangePassword: false };
  const [{ n }] = await db.query<{ n: number }>("select count(*)::int as n from app_user");
  if (n > 0) return none;
  if (adminPassword !== undefined) {
    try {
      validateNewPassword(adminPassword, { username: DEFAULT_ADMIN_USERNAME });
    } catch (e) {
      if (e instanceof AppError) {
        throw new AppError(e.status, e.code, `ADMIN_PASSWORD is not acceptable: ${e.message}`);
      }
      throw e;
    }
  }
  const mustChange = adminPassword === undefined;
  const hash = await hashPassword(adminPassword ?? DEFAULT_ADMIN_USERNAME);
  const rows = await db.query(
    `insert into app_user (username, password_hash, role, must_change_password)
     select $1, $2, 'admin', $3 where not exists (select 1 from app_user)
     on conflict do nothing returning id`,
    [DEFAULT_ADMIN_USERNAME, hash, mustChange],
  );
  return rows.length ? { ...none, created: true, mustChangePassword: mustChange } : none;
}
