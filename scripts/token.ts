// CLI for API tokens: create (printed once), list, revoke.
import { parseArgs } from "node:util";
import { loadConfig } from "@/services/config/config.ts";
import { migrate, openDb } from "@/services/store/mod.ts";
import { AppError } from "@/services/errors.ts";
import {
  audit,
  createApiToken,
  findUserByUsername,
  listApiTokens,
  revokeApiToken,
} from "@/services/auth/mod.ts";

const USAGE = `usage: deno task token <command>

  create --user NAME [--name LABEL]   prints the new token on stdout; it is shown only once
  list [--user NAME] [--json]
  revoke ID

Example:  export PINGFOLD_TOKEN=$(deno task token create --user alice --name backup)`;

class UsageError extends Error {}

const ts = (iso: string | null) => iso ? iso.slice(0, 19).replace("T", " ") + "Z" : "-";

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      user: { type: "string", short: "u" },
      name: { type: "string", short: "n" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  if (!["create", "list", "revoke"].includes(command)) {
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }

  const db = await openDb(loadConfig());
  try {
    await migrate(db);
    const userNamed = async (name: string) => {
      const user = await findUserByUsername(db, name);
      if (!user) throw new AppError(404, "not_found", `no user named ${JSON.stringify(name)}`);
      return user;
    };
    switch (command) {
      case "create": {
        if (!values.user) throw new UsageError("missing --user NAME (the token acts as that user)");
        const user = await userNamed(values.user);
        const name = values.name ?? `cli ${new Date().toISOString().slice(0, 10)}`;
        const t = await createApiToken(db, { userId: user.id, name });
        await audit(db, {
          username: null,
          action: "token.create",
          target: `token:${t.id}`,
          detail: { via: "cli", user: user.username, name },
        });
        // Only the token goes to stdout, so it can be captured; the note goes to stderr.
        console.error(
          `created token ${t.id} (${t.prefix}…) for ${user.username} (${user.role}); ` +
            "store it now, it cannot be shown again",
        );
        console.log(t.token);
        break;
      }
      case "list": {
        const userId = values.user ? (await userNamed(values.user)).id : undefined;
        const tokens = await listApiTokens(db, userId);
        if (values.json) {
          console.log(JSON.stringify(tokens, null, 2));
          break;
        }
        console.log(["ID", "PREFIX", "USER", "NAME", "CREATED", "LAST USED", "REVOKED"].join("\t"));
        for (const t of tokens) {
          console.log(
            [
              t.id,
              t.prefix,
              t.username,
              t.name,
              ts(t.created_at),
              ts(t.last_used_at),
              ts(t.revoked_at),
            ].join("\t"),
          );
        }
        break;
      }
      case "revoke": {
        const id = Number(rest[0]);
        if (!rest[0] || !Number.isSafeInteger(id) || id < 1) {
          throw new UsageError(
            `revoke needs a token ID (a number), got ${JSON.stringify(rest[0] ?? "")}`,
          );
        }
        // The CLI runs with the server's own access to the database, so it acts as admin.
        await revokeApiToken(db, id, { byUserId: 0, isAdmin: true });
        await audit(db, {
          username: null,
          action: "token.revoke",
          target: `token:${id}`,
          detail: { via: "cli" },
        });
        console.log(`revoked token ${id}`);
        break;
      }
    }
  } finally {
    await db.close();
  }
}

const isParseArgsError = (e: unknown) =>
  e instanceof Error && String((e as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS");

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    // One clear line, never a stack trace: this is a tool for people, not a library.
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    if (e instanceof UsageError || isParseArgsError(e)) console.error("run with --help for usage");
    Deno.exit(1);
  }
}
