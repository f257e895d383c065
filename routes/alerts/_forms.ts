// Form fields of the /alerts page turned into domain input; failures re-render the page.
import { AppError } from "@/services/errors.ts";
import type { AppContext } from "@/web/env.ts";
import { renderAlerts } from "../alerts.tsx";

export type Form = Record<string, string | File | (string | File)[]>;

export const text = (f: Form, k: string): string => {
  const v = f[k];
  return typeof v === "string" ? v.trim() : "";
};

export const optText = (f: Form, k: string): string | null => text(f, k) || null;

export const list = (f: Form, k: string): string[] => {
  const v = f[k];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string =>
    typeof x === "string"
  );
};

export function optId(f: Form, k: string): number | null {
  const v = text(f, k);
  if (!v) return null;
  if (!/^\d{1,15}$/.test(v) || Number(v) < 1) {
    throw new AppError(
      422,
      "validation_failed",
      `invalid form: ${k}: expected an id, got ${JSON.stringify(v)}`,
    );
  }
  return Number(v);
}

export function optInt(f: Form, k: string): number | undefined {
  const v = text(f, k);
  if (!v) return undefined;
  if (!/^\d{1,9}$/.test(v)) {
    throw new AppError(422, "validation_failed", `invalid form: ${k}: expected a whole number`);
  }
  return Number(v);
}

/** datetime-local values are read as UTC (the form says so). */
export function optUtc(f: Form, k: string): string | null {
  const v = text(f, k);
  if (!v) return null;
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(v) ? `${v}Z` : v;
}

/** The :id of the path; anything but a positive integer is a 404. */
export function pathId(c: AppContext): number {
  const raw = c.req.param("id") ?? "";
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) {
    throw new AppError(404, "not_found", `no ${c.req.path}`);
  }
  return Number(raw);
}

/** Runs a form action; a user error re-renders the page with its message (and status). */
export async function formAction(
  c: AppContext,
  fn: (form: Form) => Promise<Response>,
): Promise<Response> {
  const form = await c.req.parseBody({ all: true }) as Form;
  try {
    return await fn(form);
  } catch (e) {
    if (e instanceof AppError && e.status < 500 && e.status !== 401) {
      return await renderAlerts(c, { error: e.message }, e.status);
    }
    throw e;
  }
}
