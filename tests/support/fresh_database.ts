// A PostgreSQL database of its own for a test whose processes connect by URL (role processes, a
// second server), migrated, and dropped afterwards.
import { migrate, openPostgres } from "@/services/store/mod.ts";
import { TEST_DATABASE_URL } from "./test_db.ts";

export async function freshDatabase(prefix = "pf_scale") {
  const name = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = openPostgres(TEST_DATABASE_URL, { max: 1 });
  await admin.exec(`create database ${name}`);
  const url = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${name}`);
  const db = openPostgres(url, { max: 2 });
  await migrate(db);
  return {
    url,
    db,
    async [Symbol.asyncDispose]() {
      await db.close();
      await admin.exec(`drop database if exists ${name} with (force)`).catch(() => {});
      await admin.close();
    },
  };
}
