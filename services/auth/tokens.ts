// API tokens for scripts: shown once, stored only as a SHA-256 hash, revocable by owner or admin.
import { memoRead, type Queryable } from "@/services/store/mod.ts";
import { AppError } from "@/services/errors.ts";
import { randomToken, sha256Hex } from "./secure_random.ts";
import type { Role, User } from "./users.ts";

export const TOKEN_PREFIX = "pf_";
/** Characters of the token kept in clear for display ("pf_AbC1234"). */
export const DISPLAY_PREFIX_LENGTH = 10;
export const MAX_TOKEN_NAME_LENGTH = 100;
/** last_used_at is written at most this often per token. */
export const LAST_USED_RESOLUTION_MS = 60_000;

const TOKEN_SHAPE = /^pf_[A-Za-z0-9_-]{43}$/;

export interface ApiTokenInfo {
  id: number;
  user_id: number;
  username: string;
  name: string;
  prefix: string;
  /** ISO 8601 UTC; null when never used / not revoked. */
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const iso = (v: unknown) =>
  v === null || v === undefined ? null : new Date(v as string).toISOString();

/** True when a string looks like a Pingfold API token (e.g. to pick Bearer vs. session). */
export function looksLikeApiToken(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

/** The clear token is returned here only; it cannot be recovered later. */
export async function createApiToken(
  db: Queryable,
  input: { userId: number; name: string },
): Promise<{ id: number; token: string; prefix: string }> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > MAX_TOKEN_NAME_LENGTH) {
    throw new AppError(
      422,
      "invalid_token_name",
      `token name must be 1-${MAX_TOKEN_NAME_LENGTH} characters, got ${name.length}`,
    );
  }
  const token = TOKEN_PREFIX + randomToken(32);
  const prefix = token.slice(0, DISPLAY_PREFIX_LENGTH);
  const rows = await db.query<{ id: number }>(
    `insert into api_token (user_id, name, token_hash, prefix)
     select id, $2, $3, $4 from app_user where id = $1 returning id`,
    [input.userId, name, await sha256Hex(token), prefix],
  );
  if (rows.length === 0) throw new AppError(404, "not_found", `user ${input.userId} not found`);
  return { id: Number(rows[0].id), token, prefix };
}

interface TokenOwnerRow {
  token_id: number;
  last_used_at: Date | string | null;
  id: number;
  username: string;
  role: Role;
  must_change_password: boolean;
  created_at: Date | string;
}

/** The token's owner, or null for an unknown, malformed or revoked token. */
export async function authenticateToken(
  db: Queryable,
  token: string,
  opts: { now?: number | Date } = {},
): Promise<User | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const hash = await sha256Hex(token);
  // Looking up by the hash of a 256-bit random value leaks nothing useful through timing.
  // Memoized briefly (store/read_memo.ts): every API call asks it, and a revocation is a write.
  const [row] = await memoRead(db, `api_token:${hash}`, () =>
    db.query<TokenOwnerRow>(
      `select t.id as token_id, t.last_used_at,
              u.id, u.username, u.role, u.must_change_password, u.created_at
       from api_token t join app_user u on u.id = t.user_id
       where t.token_hash = $1 and t.revoked_at is null and u.disabled_at is null`,
      [hash],
    ));
  if (!row) return null;
  const now = opts.now === undefined ? new Date() : new Date(opts.now);
  const last = row.last_used_at === null ? null : new Date(row.last_used_at).getTime();
  if (last === null || now.getTime() - last >= LAST_USED_RESOLUTION_MS) {
    await db.query("update api_token set last_used_at = $2 where id = $1", [row.token_id, now]);
    row.last_used_at = now; // the memoized row too, so the next calls do not write again
  }
  return {
    id: Number(row.id),
    username: row.username,
    role: row.role,
    must_change_password: row.must_change_password,
    created_at: new Date(row.created_at).toISOString(),
  };
}

/** All tokens (revoked ones too, with revoked_at), or one user's; never the hash. */
export async function listApiTokens(db: Queryable, userId?: number): Promise<ApiTokenInfo[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, t.last_used_at,
            t.revoked_at
     from api_token t join app_user u on u.id = t.user_id
     where $1::bigint is null or t.user_id = $1::bigint
     order by t.id`,
    [userId ?? null],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    user_id: Number(r.user_id),
    username: String(r.username),
    name: String(r.name),
    prefix: String(r.prefix),
    created_at: iso(r.created_at)!,
    last_used_at: iso(r.last_used_at),
    revoked_at: iso(r.revoked_at),
  }));
}

/**
 * Revokes a token of `byUserId` (or any token when isAdmin). Others' tokens answer 404, so
 * their ids are not confirmed to exist. Revoking an already revoked token succeeds.
 */
export async function revokeApiToken(
  db: Queryable,
  id: number,
  by: { byUserId: number; isAdmin: boolean },
): Promise<void> {
  const notFound = new AppError(404, "not_found", `API token ${id} not found`);
  if (!Number.isSafeInteger(id)) throw notFound;
  const rows = await db.query<{ id: number }>(
    `update api_token set revoked_at = coalesce(revoked_at, now())
     where id = $1 and ($3::boolean or user_id = $2) returning id`,
    [id, by.byUserId, by.isAdmin],
  );
  if (rows.length === 0) throw notFound;
}
