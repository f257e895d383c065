// CLI for user accounts: add, passwd, role, list, delete (e.g. when locked out of the web UI).
import { parseArgs } from "node:util";
import { type Db, openStateStore } from "@/services/store/mod.ts";
import type { Config } from "@/services/config/config.ts";
import { AppError } from "@/services/errors.ts";
import {
  audit,
  createUser,
  deleteUser,
  destroyUserSessions,
  findUserByUsername,
  isRole,
  listUsers,
  ROLES,
  setPassword,
  setRole,
  type User,
} from "@/services/auth/mod.ts";
import { pickCommand, runCli, UsageError, withConfiguredDb } from "./cli_support.ts";

const USAGE = `usage: deno task user <command>

  add <username> [--role viewer|editor|admin] [--password PW] [--must-change]
  passwd <username> [--password PW] [--must-change]
  role <username> <viewer|editor|admin>
  list [--json]
  delete <username>

Without --password the password is asked for (hidden) on a terminal, or read as the first
line of standard input otherwise:  echo "$PW" | deno task user passwd alice`;

/** Reads a line from the terminal without echoing it. */
async function readHidden(question: string): Promise<string> {
  const enc = new TextEncoder();
  await Deno.stderr.write(enc.encode(question));
  Deno.stdin.setRaw(true);
  const bytes: number[] = [];
  const buf = new Uint8Array(64);
  try {
    outer: while (true) {
      const n = await Deno.stdin.read(buf);
      if (n === null) break;
      for (const b of buf.subarray(0, n)) {
        if (b === 3) throw new AppError(400, "cancelled", "cancelled"); // Ctrl-C
        if (b === 13 || b === 10 || b === 4) break outer; // Enter, Ctrl-D
        if (b === 127 || b === 8) {
          // Backspace removes one whole UTF-8 character.
          while (bytes.length && (bytes.pop()! & 0xc0) === 0x80);
          continue;
        }
        bytes.push(b);
      }
    }
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(enc.encode("\n"));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

async function readPassword(given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  if (Deno.stdin.isTerminal()) {
    const first = await readHidden("New password: ");
    const again = await readHidden("Repeat password: ");
    if (first !== again) {
      throw new AppError(422, "password_mismatch", "the two passwords differ; nothing was changed");
    }
    return first;
  }
  const text = await new Response(Deno.stdin.readable).text();
  const line = text.split(/\r?\n/)[0];
  if (!line) throw new UsageError("no password given: pass --password or one line on stdin");
  return line;
}

async function requireUser(db: Db, username: string | undefined): Promise<User> {
  if (!username) throw new UsageError("missing <username>");
  const user = await findUserByUsername(db, username);
  if (!user) throw new AppError(404, "not_found", `no user named ${JSON.stringify(username)}`);
  return user;
}

// Password, role and account changes end the user's web sessions, as they do in the UI.
// The state store in force (Deno KV file, or NATS KV when STATE_STORE=nats), so they end everywhere.
async function endSessions(cfg: Config, userId: number): Promise<number> {
  const kv = await openStateStore(cfg, { name: "pingfold-user-cli" });
  try {
    return await destroyUserSessions(kv, userId);
  } finally {
    await kv.close();
  }
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: "string", short: "r" },
      password: { type: "string", short: "p" },
      "must-change": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const picked = pickCommand(positionals, {
    help: values.help,
    usage: USAGE,
    commands: ["add", "passwd", "role", "list", "delete"],
  });
  if (!picked) return;
  const { command, rest } = picked;

  await withConfiguredDb(async (db, cfg) => {
    const by = { username: null, detail: { via: "cli" } };
    switch (command) {
      case "add": {
        const [username] = rest;
        if (!username) throw new UsageError("missing <username>");
        const role = values.role ?? "viewer";
        if (!isRole(role)) {
          throw new UsageError(`invalid --role ${JSON.stringify(role)}: use ${ROLES.join(", ")}`);
        }
        const password = await readPassword(values.password);
        const user = await createUser(db, {
          username,
          password,
          role,
          mustChangePassword: values["must-change"],
        });
        await audit(db, { ...by, action: "user.create", target: `user:${user.username}` });
        console.log(`created ${user.role} ${JSON.stringify(user.username)} (id ${user.id})`);
        break;
      }
      case "passwd": {
        const user = await requireUser(db, rest[0]);
        const password = await readPassword(values.password);
        await setPassword(db, user.id, password, { mustChange: values["must-change"] });
        const ended = await endSessions(cfg, user.id);
        await audit(db, { ...by, action: "user.password", target: `user:${user.username}` });
        console.log(
          `password changed for ${JSON.stringify(user.username)}; ${ended} session(s) ended`,
        );
        break;
      }
      case "role": {
        const user = await requireUser(db, rest[0]);
        const role = rest[1];
        if (!isRole(role)) {
          throw new UsageError(
            `invalid role ${JSON.stringify(role ?? "")}: use ${ROLES.join(", ")}`,
          );
        }
        await setRole(db, user.id, role);
        await endSessions(cfg, user.id);
        await audit(db, {
          ...by,
          action: "user.role",
          target: `user:${user.username}`,
          detail: { via: "cli", from: user.role, to: role },
        });
        console.log(`${JSON.stringify(user.username)} is now ${role}`);
        break;
      }
      case "list": {
        const users = await listUsers(db);
        if (values.json) {
          console.log(JSON.stringify(users, null, 2));
          break;
        }
        const width = Math.max(8, ...users.map((u) => u.username.length));
        console.log(`${"ID".padStart(5)}  ${"USERNAME".padEnd(width)}  ROLE    CREATED`);
        for (const u of users) {
          const flag = u.must_change_password ? "  (must change password)" : "";
          console.log(
            `${String(u.id).padStart(5)}  ${u.username.padEnd(width)}  ${u.role.padEnd(6)}  ` +
              `${u.created_at.slice(0, 19).replace("T", " ")}Z${flag}`,
          );
        }
        break;
      }
      case "delete": {
        const user = await requireUser(db, rest[0]);
        await deleteUser(db, user.id);
        await endSessions(cfg, user.id);
        await audit(db, { ...by, action: "user.delete", target: `user:${user.username}` });
        console.log(`deleted ${JSON.stringify(user.username)} and their API tokens`);
        break;
      }
    }
  });
}

if (import.meta.main) await runCli(() => main(Deno.args));
