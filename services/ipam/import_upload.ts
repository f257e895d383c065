// Keeps an uploaded CSV between the import preview and its confirmation (SQL, so every app node
// sees it): the confirm form then posts only an unguessable id, not the whole file again.
import { randomToken } from "@/services/auth/mod.ts";
import { AppError } from "@/services/errors.ts";
import type { Db } from "@/services/store/mod.ts";
import type { ImportKind } from "./import_service.ts";

/** How long a preview can be confirmed. */
export const UPLOAD_TTL_MS = 60 * 60 * 1000;
/** Previews kept per user; a newer one drops the oldest (one person, one or two tabs). */
export const UPLOADS_PER_USER = 3;
/** All kept files together stay under this many times MAX_UPLOAD_BYTES. */
export const UPLOADS_TOTAL_FACTOR = 8;

/** 24 random bytes as base64url: 32 characters. */
const ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;

const EXPIRED =
  "this preview has expired or was already imported (previews are kept for 1 hour); " +
  "upload the file again";

export interface KeptUpload {
  id: string;
  /** ISO 8601 UTC. */
  expires_at: string;
}

/** A kept file's facts, without its text. */
export interface UploadFacts {
  kind: ImportKind;
  /** What the preview was asked (allow_orphan, on_existing), as keepUpload got it. */
  options: Record<string, unknown>;
  /** ISO 8601 UTC. */
  expires_at: string;
}

export interface UploadEnv {
  db: Db;
  now: () => number;
  /** MAX_UPLOAD_BYTES: the kept files together stay under UPLOADS_TOTAL_FACTOR times it. */
  maxUploadBytes: number;
}

/**
 * Stores a previewed CSV for `userId` and returns its id. Expired files go first; the user's
 * oldest previews beyond UPLOADS_PER_USER are dropped.
 * @throws AppError 503 uploads_full when the files kept for everyone would exceed their bound
 */
export async function keepUpload(
  env: UploadEnv,
  userId: number,
  kind: ImportKind,
  csv: string,
  options: Record<string, unknown> = {},
): Promise<KeptUpload> {
  const now = env.now();
  const bytes = new TextEncoder().encode(csv).length;
  const id = randomToken(24);
  const expires = new Date(now + UPLOAD_TTL_MS).toISOString();
  const limit = env.maxUploadBytes * UPLOADS_TOTAL_FACTOR;
  await env.db.tx(async (tx) => {
    await tx.query("delete from import_upload where expires_at <= $1", [new Date(now)]);
    await tx.query(
      `delete from import_upload where id in (
         select id from import_upload where user_id = $1
         order by created_at desc, id offset $2)`,
      [userId, UPLOADS_PER_USER - 1],
    );
    const [used] = await tx.query<{ n: string | number }>(
      "select coalesce(sum(bytes), 0)::bigint as n from import_upload",
    );
    if (Number(used.n) + bytes > limit) {
      throw new AppError(
        503,
        "uploads_full",
        "too many import previews are waiting to be confirmed; confirm or let them expire " +
          "(1 hour) and try again",
      );
    }
    await tx.query(
      `insert into import_upload (id, user_id, kind, options, csv, bytes, created_at, expires_at)
       values ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)`,
      [id, userId, kind, JSON.stringify(options), csv, bytes, new Date(now), expires],
    );
  });
  return { id, expires_at: expires };
}

function requireId(id: string | undefined): string {
  if (id === undefined || id === "") {
    throw new AppError(
      422,
      "missing_upload",
      "the confirmation names no previewed file; upload the file again",
    );
  }
  if (!ID_PATTERN.test(id)) throw new AppError(410, "upload_expired", EXPIRED);
  return id;
}

/**
 * The facts of `userId`'s kept file `id` (the preview page shows them), leaving it kept.
 * @throws AppError 422 missing_upload, 410 upload_expired (as takeUpload)
 */
export async function peekUpload(
  env: Pick<UploadEnv, "db" | "now">,
  userId: number,
  id: string | undefined,
): Promise<UploadFacts> {
  const [row] = await env.db.query<
    { kind: ImportKind; options: Record<string, unknown> | string; expires_at: Date | string }
  >(
    `select kind, options, expires_at from import_upload
     where id = $1 and user_id = $2 and expires_at > $3`,
    [requireId(id), userId, new Date(env.now())],
  );
  if (!row) throw new AppError(410, "upload_expired", EXPIRED);
  return {
    kind: row.kind,
    options: typeof row.options === "string" ? JSON.parse(row.options) : row.options,
    expires_at: new Date(row.expires_at).toISOString(),
  };
}

/**
 * Takes (reads and deletes, so a double click imports once) the kept CSV `id` of `userId`.
 * An unknown, expired, already used or someone else's id is the same 410: the answer never
 * tells whether another user's preview exists.
 * @throws AppError 422 missing_upload, 410 upload_expired
 */
export async function takeUpload(
  env: Pick<UploadEnv, "db" | "now">,
  userId: number,
  id: string | undefined,
  kind: ImportKind,
): Promise<string> {
  const [row] = await env.db.query<{ csv: string }>(
    `delete from import_upload
     where id = $1 and user_id = $2 and kind = $3 and expires_at > $4
     returning csv`,
    [requireId(id), userId, kind, new Date(env.now())],
  );
  if (!row) throw new AppError(410, "upload_expired", EXPIRED);
  return row.csv;
}
