// Form parsing shared by the inventory and operations pages: strings from a form body, tags, and
// turning an AppError into a message the page shows beside the form.
import { AppError } from "@/services/errors.ts";
import { splitTags } from "@/services/ipam/mod.ts";

export type Form = Record<string, string | File | (string | File)[]>;

export const text = (form: Form, name: string): string =>
  typeof form[name] === "string" ? (form[name] as string) : "";

export const tagsOf = (form: Form, name = "tags") =>
  splitTags(text(form, name).replaceAll(",", ";"));

/** Addresses from a textarea: one per line, or separated by commas, semicolons or spaces. */
export const addressesOf = (form: Form, name = "addresses") =>
  text(form, name).split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);

export const idOf = (form: Form, name: string): number | null => {
  const v = text(form, name).trim();
  return /^\d{1,15}$/.test(v) ? Number(v) : null;
};

/** The message of a user error (4xx) to show on the page; other errors are rethrown. */
export function userError(err: unknown): { status: number; message: string } {
  if (err instanceof AppError && err.status < 500) {
    return { status: err.status, message: err.message };
  }
  throw err;
}

/** A path parameter that must be a positive id; 404 otherwise. */
export function pathId(raw: string | undefined, what: string): number {
  const v = raw ?? "";
  if (!/^\d{1,15}$/.test(v) || Number(v) <= 0) {
    throw new AppError(404, "not_found", `${what} ${v.slice(0, 40)} not found`);
  }
  return Number(v);
}
