// Action definitions: an executable inside ACTIONS_DIR, fixed arguments with host placeholders, a
// timeout and who may run it; plus turning a definition and a host into a checked argument array.
import { z } from "zod";
import { AppError, conflict, forbidden, notFound } from "@/services/errors.ts";
import type { Db, Queryable } from "@/services/store/mod.ts";

export const PLACEHOLDERS = ["ip", "hostname", "server", "organization"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const noNul = (s: string) => !s.includes("\0");
const actionFields = {
  name: z.string().trim().min(1).max(100).refine(noNul, "must not contain NUL characters"),
  description: z.string().max(2000).refine(noNul, "must not contain NUL characters"),
  executable: z.string().min(1).max(1000).refine(noNul, "must not contain NUL characters"),
  args: z.array(z.string().max(1000).refine(noNul, "must not contain NUL characters")).max(64),
  timeout_s: z.number().int().min(1).max(3600),
  editors_may_run: z.boolean(),
};
export const ActionInputSchema = z.object({
  ...actionFields,
  description: actionFields.description.default(""),
  args: actionFields.args.default([]),
  timeout_s: actionFields.timeout_s.default(60),
  editors_may_run: actionFields.editors_may_run.default(false),
});
/** A partial update: absent keys stay unchanged. */
export const ActionPatchSchema = z.object(actionFields).partial();
export type ActionInput = z.infer<typeof ActionInputSchema>;
export type ActionPatch = z.infer<typeof ActionPatchSchema>;

export interface Action {
  id: number;
  name: string;
  description: string;
  executable: string;
  args: string[];
  timeout_s: number;
  editors_may_run: boolean;
  placeholders: Placeholder[];
  created_at: string;
  updated_at: string;
}

const iso = (v: unknown) => new Date(v as string).toISOString();

function toAction(r: Record<string, unknown>): Action {
  const args = (r.args as string[]) ?? [];
  return {
    id: Number(r.id),
    name: String(r.name),
    description: String(r.description),
    executable: String(r.executable),
    args,
    timeout_s: Number(r.timeout_s),
    editors_may_run: Boolean(r.editors_may_run),
    placeholders: placeholdersIn(args),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

const TOKEN = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Placeholders used by `args`; 422 `invalid_placeholder` for one outside the list. */
export function placeholdersIn(args: readonly string[], strict = false): Placeholder[] {
  const found = new Set<Placeholder>();
  args.forEach((arg, i) => {
    for (const m of arg.matchAll(TOKEN)) {
      if ((PLACEHOLDERS as readonly string[]).includes(m[1])) found.add(m[1] as Placeholder);
      else if (strict) {
        throw new AppError(
          422,
          "invalid_placeholder",
          `args[${i}]: placeholder {${m[1]}} is not allowed; use only ` +
            PLACEHOLDERS.map((p) => `{${p}}`).join(" "),
          { field: `args.${i}` },
        );
      }
    }
  });
  return [...found];
}

/**
 * The real path of `executable` inside the real ACTIONS_DIR, checked to be a regular executable
 * file there; 422 `invalid_executable` with the reason otherwise (symlinks out included).
 */
export async function resolveExecutable(actionsDir: string, executable: string): Promise<string> {
  const bad = (why: string) =>
    new AppError(422, "invalid_executable", `executable "${executable.slice(0, 200)}": ${why}`, {
      field: "executable",
    });
  let root: string;
  try {
    root = await Deno.realPath(actionsDir);
  } catch {
    throw bad(`ACTIONS_DIR ${actionsDir} does not exist; create it and put the scripts there`);
  }
  const candidate = executable.startsWith("/") ? executable : `${root}/${executable}`;
  let real: string;
  try {
    real = await Deno.realPath(candidate);
  } catch {
    throw bad(`not found in ACTIONS_DIR (${root})`);
  }
  if (!real.startsWith(`${root}/`)) {
    throw bad(`resolves to ${real}, outside ACTIONS_DIR (${root}); symlinks out are refused`);
  }
  const info = await Deno.stat(real);
  if (!info.isFile) throw bad("is not a regular file");
  if (info.mode === null || (info.mode & 0o111) === 0) {
    throw bad("is not executable (chmod +x it)");
  }
  return real;
}

/** Host fields a run may substitute; null ones become empty strings. */
export type PlaceholderValues = Record<Placeholder, string | null>;

/**
 * The argument array for one run. A value that would start with "-" is refused (422
 * `option_injection`) rather than passed: it could be read as an option of the action itself.
 */
export function renderArgs(args: readonly string[], values: PlaceholderValues): string[] {
  return args.map((arg, i) =>
    arg.replace(TOKEN, (whole, name: string) => {
      if (!(PLACEHOLDERS as readonly string[]).includes(name)) return whole;
      const v = values[name as Placeholder] ?? "";
      if (v.startsWith("-")) {
        throw new AppError(
          422,
          "option_injection",
          `refusing to run: {${name}} would be "${v.slice(0, 60)}", which starts with "-" and ` +
            `could be taken as an option of the action (args[${i}])`,
          { placeholder: name },
        );
      }
      if (v.includes("\0") || /[\r\n]/.test(v)) {
        throw new AppError(
          422,
          "invalid_placeholder_value",
          `{${name}} contains control characters`,
        );
      }
      return v;
    })
  );
}

async function checkDefinition(actionsDir: string, a: ActionInput): Promise<void> {
  placeholdersIn(a.args, true);
  await resolveExecutable(actionsDir, a.executable);
}

async function assertNameFree(q: Queryable, name: string, selfId = 0) {
  const same = await q.query<{ id: number; name: string }>(
    `select id, name from action where lower(name) = lower($1) and id <> $2`,
    [name, selfId],
  );
  if (same[0]) {
    throw conflict(`action "${same[0].name}" (id ${same[0].id}) already has this name`, {
      field: "name",
      existing: { id: Number(same[0].id), name: same[0].name },
    });
  }
}

export async function listActions(q: Queryable): Promise<Action[]> {
  return (await q.query<Record<string, unknown>>(`select * from action order by name`))
    .map(toAction);
}

export async function getAction(q: Queryable, id: number): Promise<Action> {
  const rows = await q.query<Record<string, unknown>>(`select * from action where id = $1`, [id]);
  if (!rows[0]) throw notFound(`action ${id}`);
  return toAction(rows[0]);
}

export async function getActionByName(q: Queryable, name: string): Promise<Action> {
  const rows = await q.query<Record<string, unknown>>(
    `select * from action where lower(name) = lower($1)`,
    [name],
  );
  if (!rows[0]) throw notFound(`action "${name}"`);
  return toAction(rows[0]);
}

export async function createAction(db: Db, actionsDir: string, a: ActionInput): Promise<Action> {
  await checkDefinition(actionsDir, a);
  await assertNameFree(db, a.name);
  const [row] = await db.query<Record<string, unknown>>(
    `insert into action (name, description, executable, args, timeout_s, editors_may_run)
     values ($1, $2, $3, $4::text[], $5, $6) returning *`,
    [a.name, a.description, a.executable, a.args, a.timeout_s, a.editors_may_run],
  );
  return toAction(row);
}

export async function updateAction(
  db: Db,
  actionsDir: string,
  id: number,
  patch: ActionPatch,
): Promise<Action> {
  const old = await getAction(db, id);
  const next = { ...old, ...patch };
  await checkDefinition(actionsDir, next);
  await assertNameFree(db, next.name, id);
  const [row] = await db.query<Record<string, unknown>>(
    `update action set name = $2, description = $3, executable = $4, args = $5::text[],
       timeout_s = $6, editors_may_run = $7, updated_at = now() where id = $1 returning *`,
    [
      id,
      next.name,
      next.description,
      next.executable,
      next.args,
      next.timeout_s,
      next.editors_may_run,
    ],
  );
  return toAction(row);
}

export async function deleteAction(db: Db, id: number): Promise<void> {
  await getAction(db, id);
  await db.query(`delete from action where id = $1`, [id]);
}

export type Role = "admin" | "editor" | "viewer";

/** Admins run every action, editors those marked for them, viewers none. */
export function mayRun(action: Action, role: Role): boolean {
  return role === "admin" || (role === "editor" && action.editors_may_run);
}

export function assertMayRun(action: Action, role: Role): void {
  if (!mayRun(action, role)) {
    throw forbidden(
      role === "viewer"
        ? "viewers cannot run actions"
        : `action "${action.name}" may be run by admins only (editors_may_run is off)`,
    );
  }
}
