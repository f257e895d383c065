// Small server-rendered pieces the inventory and operations pages share: notices, the status
// pill of an indicator or a run, cards (and, re-exported, the hidden CSRF field and text fields).
import type { ComponentChildren } from "preact";

export function Notice(p: { error?: string | null; ok?: string | null }) {
  if (p.error) {
    return (
      <p class="notice notice-error field-error" role="alert" data-testid="form-error">{p.error}</p>
    );
  }
  if (p.ok) return <p class="notice" role="status" data-testid="notice">{p.ok}</p>;
  return null;
}

export { Csrf } from "./CsrfField.tsx";
export { Field, SelectField } from "./FormFields.tsx";

const PILL: Record<string, string> = {
  ok: "pill pill-up",
  succeeded: "pill pill-up",
  up: "pill pill-up",
  warning: "pill pill-warn",
  running: "pill pill-warn",
  queued: "pill pill-unknown",
  critical: "pill pill-down",
  failed: "pill pill-down",
  timed_out: "pill pill-down",
  down: "pill pill-down",
};

export function Pill(p: { status: string }) {
  return <span class={PILL[p.status] ?? "pill pill-unknown"}>{p.status.replace("_", " ")}</span>;
}

export function Card(
  p: { title: string; id: string; children: ComponentChildren; actions?: ComponentChildren },
) {
  return (
    <section class="card" aria-labelledby={p.id}>
      <div class="flex flex-wrap items-end gap-2 mb-3">
        <h2 id={p.id} class="text-lg font-bold flex-1">{p.title}</h2>
        {p.actions}
      </div>
      {p.children}
    </section>
  );
}
