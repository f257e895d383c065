// Kept import files on both engines: taken once by their owner, bounded per user and in total,
// gone after their hour and with their user.
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { AppError } from "@/services/errors.ts";
import type { Db } from "@/services/store/mod.ts";
import { keepUpload, takeUpload, UPLOAD_TTL_MS } from "./import_upload.ts";

async function user(db: Db, name: string): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `insert into app_user (username, password_hash, role) values ($1, 'x', 'editor')
     returning id`,
    [name],
  );
  return Number(row.id);
}

const kept = async (db: Db) =>
  Number((await db.query<{ n: number }>("select count(*)::int as n from import_upload"))[0].n);

async function rejects(p: Promise<unknown>, status: number, code: string) {
  await assert.rejects(p, (e) => e instanceof AppError && e.status === status && e.code === code);
}

dbTest("a kept file is taken once, by its owner, within its hour", async (db) => {
  const clock = { now: Date.parse("2026-12-01T10:00:00Z") };
  const env = { db, now: () => clock.now, maxUploadBytes: 1024 * 1024 };
  const [ann, bob] = [await user(db, "ann"), await user(db, "bob")];
  const a = await keepUpload(env, ann, "hosts", "ip\n10.1.0.1\n");
  assert.match(a.id, /^[\w-]{32}$/);
  assert.equal(a.expires_at, "2026-12-01T11:00:00.000Z");
  await rejects(takeUpload(env, bob, a.id, "hosts"), 410, "upload_expired");
  await rejects(takeUpload(env, ann, a.id, "subnets"), 410, "upload_expired");
  await rejects(takeUpload(env, ann, undefined, "hosts"), 422, "missing_upload");
  assert.equal(await takeUpload(env, ann, a.id, "hosts"), "ip\n10.1.0.1\n");
  await rejects(takeUpload(env, ann, a.id, "hosts"), 410, "upload_expired");

  const b = await keepUpload(env, ann, "hosts", "ip\n10.1.0.2\n");
  clock.now += UPLOAD_TTL_MS;
  await rejects(takeUpload(env, ann, b.id, "hosts"), 410, "upload_expired");
  await keepUpload(env, bob, "hosts", "ip\n10.1.0.3\n");
  assert.equal(await kept(db), 1, "keeping a file deletes the expired ones");
  await db.query("delete from app_user where id = $1", [bob]);
  assert.equal(await kept(db), 0, "a deleted user's files go with them");
});

dbTest("kept files are bounded per user and in total", async (db) => {
  const clock = { now: Date.parse("2026-12-01T10:00:00Z") };
  // 8 × 1,024 = 8,192 bytes in total; each file here is 1,000 bytes.
  const env = { db, now: () => clock.now, maxUploadBytes: 1024 };
  const csv = "ip\n" + "1".repeat(996) + "\n";
  assert.equal(csv.length, 1000);
  const [u1, u2, u3] = [await user(db, "u1"), await user(db, "u2"), await user(db, "u3")];
  for (let i = 0; i < 5; i++) {
    await keepUpload(env, u1, "hosts", csv);
    clock.now += 1;
  }
  assert.equal(await kept(db), 3, "a user keeps their 3 newest");
  for (let i = 0; i < 3; i++) await keepUpload(env, u2, "hosts", csv);
  for (let i = 0; i < 2; i++) await keepUpload(env, u3, "hosts", csv);
  await rejects(keepUpload(env, u3, "hosts", csv), 503, "uploads_full");
  assert.equal(await kept(db), 8);
  clock.now += UPLOAD_TTL_MS;
  await keepUpload(env, u3, "hosts", csv);
  assert.equal(await kept(db), 1, "once they expire there is room again");
});
