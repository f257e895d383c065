// main.ts as a real child process, the way users start it: a clean environment (only what the
// test exports, plus what Deno itself needs) in a temp working directory without a .env file.
import { openPostgres } from "@/services/store/mod.ts";
import { TEST_DATABASE_URL } from "./test_db.ts";

const ROOT = new URL("../../", import.meta.url);

/** Engine settings for a fresh store: a data dir (PGlite) or a new schema (PostgreSQL). */
export async function engineEnv(
  engine: string,
  dir: string,
): Promise<{ env: Record<string, string>; dispose: () => Promise<void> }> {
  if (engine === "pglite") return { env: { DATA_DIR: `${dir}/data` }, dispose: async () => {} };
  const schema = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = openPostgres(TEST_DATABASE_URL, { max: 1 });
  await admin.exec(`create schema ${schema}`);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set("search_path", schema);
  return {
    env: { DATABASE_URL: url.href },
    dispose: async () => {
      await admin.exec(`drop schema ${schema} cascade`);
      await admin.close();
    },
  };
}

/**
 * The arguments `deno task start` runs main.ts with (deno.json owns them: the V8 flags that keep
 * memory low), for benches that must measure the server as users start it.
 */
export function startTaskArgs(): string[] {
  const { tasks } = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))) as {
    tasks: Record<string, string>;
  };
  const run = /(?:^|&&\s*)deno (run .*main\.ts)$/.exec(tasks.start.trim());
  if (!run) throw new Error(`deno.json's start task does not end in "deno run … main.ts"`);
  return run[1].split(/\s+/);
}

export function mainCommand(
  cwd: string,
  env: Record<string, string>,
  io: { stdout?: "piped" | "null"; stderr?: "piped" | "null" } = {},
): Deno.Command {
  const home = Deno.env.get("HOME") ?? cwd;
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      new URL("deno.json", ROOT).pathname,
      new URL("main.ts", ROOT).pathname,
    ],
    cwd,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: home,
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${home}/.cache/deno`,
      DATA_DIR: `${cwd}/data`,
      PORT: "0",
      ...env,
    },
    stdin: "null",
    stdout: io.stdout ?? "piped",
    stderr: io.stderr ?? "piped",
  });
}

/** Reads the server's log until it says where it listens; keeps draining it afterwards. */
export async function listening(
  stderr: ReadableStream<Uint8Array>,
): Promise<{ url: string; log: string[] }> {
  const log: string[] = [];
  const reader = stderr.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  for (let i = 0; i < 1000; i++) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) {
      log.push(line);
      const url = /"msg":"listening".*?"url":"([^"]+)"/.exec(line)?.[1];
      if (!url) continue;
      (async () => {
        for (;;) {
          const r = await reader.read().catch(() => ({ done: true as const, value: undefined }));
          if (r.done) break;
          log.push(decoder.decode(r.value, { stream: true }));
        }
      })();
      return { url: url.replace(/\/$/, ""), log };
    }
  }
  throw new Error(`server did not start:\n${log.join("\n")}${buffered}`);
}

/** Logs in over HTTP as a script would: the session cookie and the CSRF token for writes. */
export async function loginOverHttp(
  url: string,
  username: string,
  password: string,
): Promise<{ cookie: string; csrf: string }> {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  const cookie = login.headers.getSetCookie()[0].split(";")[0];
  const { csrf_token } = await login.json();
  return { cookie, csrf: csrf_token };
}
