// Small server-rendered pieces the inventory and operations pages share: notices, text fields,
// the status pill of an indicator or a run, and the hidden CSRF field.
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

export function Csrf(p: { token: string }) {
  return <input type="hidden" name="_csrf" value={p.token} />;
}

export function Field(p: {
  name: string;
  label: string;
  value?: string | null;
  type?: string;
  required?: boolean;
  wide?: boolean;
  textarea?: boolean;
  placeholder?: string;
}) {
  const id = `f-${p.name}`;
  return (
    <label class={`flex flex-col text-sm ${p.wide ? "w-full" : ""}`} for={id}>
      {p.label}
      {p.textarea
        ? (
          <textarea class="input" id={id} name={p.name} rows={3} placeholder={p.placeholder}>
            {p.value ?? ""}
          </textarea>
        )
        : (
          <input
            class="input"
            id={id}
            name={p.name}
            type={p.type ?? "text"}
            value={p.value ?? ""}
            required={p.required}
            placeholder={p.placeholder}
          />
        )}
    </label>
  );
}

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
