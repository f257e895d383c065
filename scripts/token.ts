// CLI for API tokens: create (printed once), list, revoke.
import { parseArgs } from "node:util";
import { AppError } from "@/services/errors.ts";
import {
  audit,
  createApiToken,
  findUserByUsername,
  listApiTokens,
  revokeApiToken,
} from "@/services/auth/mod.ts";
import { pickCommand, runCli, UsageError, withConfiguredDb } from "./cli_support.ts";

const USAGE = `usage: deno task token <command>

  create --user NAME [--name LABEL]   prints the new token on stdout; it is shown only once
  list [--user NAME] [--json]
  revoke ID

Example:  export PINGFOLD_TOKEN=$(deno task token create --user alice --name backup)`;

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
  const picked = pickCommand(positionals, {
    help: values.help,
    usage: USAGE,
    commands: ["create", "list", "revoke"],
  });
  if (!picked) return;
  const { command, rest } = picked;

  await withConfiguredDb(async (db) => {
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
  });
}

if (import.meta.main) await runCli(() => main(Deno.args));
