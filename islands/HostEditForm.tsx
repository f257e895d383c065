// Island: edit a host's name, description, tags and notes in place. Without JavaScript it is a
// plain POST form (/hosts/{id}); with it, it saves through PATCH /api/v1/hosts/{id} and shows the
// API's 422 messages next to their fields.
import { uiErrorOf, uiWords } from "../shared/ui_words.ts";
import { useState } from "preact/hooks";
import { textToTags } from "../shared/host_detail_format.ts";
import { type HostNames, nameUnderOverride, overrideHint } from "../shared/host_name.ts";

export interface HostEditValues {
  hostname_override: string;
  description: string;
  tags: string;
  notes: string;
}

export interface HostEditFormProps extends Record<string, unknown> {
  hostId: number;
  values: HostEditValues;
  /** Every name source and the one in force (shared/host_name.ts): the field's hint and placeholder. */
  names: HostNames;
  /** Token for the no-JavaScript form post (the island reads the page's meta tag instead). */
  csrf: string;
  /** Field → message, from a rejected no-JavaScript post. */
  errors?: Record<string, string>;
  /** Set after a successful no-JavaScript post. */
  saved?: boolean;
  /** Full page: after saving, load the page again so its header shows the new name. */
  reloadOnSave?: boolean;
  /** Called with the saved host (drawer use: refresh what it shows). Not an island prop. */
  onSaved?: (host: Record<string, unknown>) => void;
}

type Status = { kind: "idle" } | { kind: "saving" } | { kind: "saved" } | {
  kind: "error";
  message: string;
};

const FIELDS = ["hostname_override", "description", "tags", "notes"] as const;

function csrfToken(fallback: string): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? fallback;
}

/** 422 issues (`tags.1: a tag may not…`) → one message per form field. */
function issuesToErrors(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const err = (body as { error?: { message?: string; details?: { issues?: unknown } } })?.error;
  const issues = Array.isArray(err?.details?.issues) ? err.details.issues : [];
  for (const i of issues as Array<{ path?: string; message?: string }>) {
    const field = String(i.path ?? "").split(".")[0];
    const key = (FIELDS as readonly string[]).includes(field) ? field : "_";
    out[key] ??= uiWords(String(i.message ?? "invalid value"));
  }
  if (Object.keys(out).length === 0) out._ = uiErrorOf(body, "The server refused the change");
  return out;
}

export default function HostEditForm(p: HostEditFormProps) {
  const [values, setValues] = useState<HostEditValues>(p.values);
  const [errors, setErrors] = useState<Record<string, string>>(p.errors ?? {});
  const [status, setStatus] = useState<Status>(p.saved ? { kind: "saved" } : { kind: "idle" });
  const id = (name: string) => `host-${p.hostId}-${name}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    setStatus({ kind: "saving" });
    setErrors({});
    const blank = (s: string) => (s.trim() === "" ? null : s.trim());
    try {
      const res = await fetch(`/api/v1/hosts/${p.hostId}`, {
        method: "PATCH",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "x-csrf-token": csrfToken(p.csrf),
        },
        body: JSON.stringify({
          hostname_override: blank(values.hostname_override),
          description: blank(values.description),
          tags: textToTags(values.tags),
          notes: blank(values.notes),
        }),
      });
      const body = await res.json().catch(() => null);
      if (res.status === 422 || res.status === 409) {
        setErrors(issuesToErrors(body));
        setStatus({ kind: "idle" });
        return;
      }
      if (!res.ok) {
        const message = uiErrorOf(body, `HTTP ${res.status}`);
        setStatus({ kind: "error", message });
        return;
      }
      setStatus({ kind: "saved" });
      if (p.reloadOnSave) location.assign(`/hosts/${p.hostId}?saved=1`);
      p.onSaved?.(body);
    } catch (err) {
      setStatus({ kind: "error", message: err instanceof Error ? err.message : String(err) });
    }
  };

  const field = (
    name: keyof HostEditValues,
    label: string,
    opts: { hint?: string; multiline?: boolean; mono?: boolean; placeholder?: string } = {},
  ) => {
    const error = errors[name];
    const described = [error ? `${id(name)}-error` : "", opts.hint ? `${id(name)}-hint` : ""]
      .filter(Boolean).join(" ") || undefined;
    const common = {
      id: id(name),
      name,
      value: values[name],
      ...(opts.placeholder ? { placeholder: opts.placeholder } : {}),
      class: `input${opts.mono ? " mono" : ""}`,
      "aria-invalid": error ? ("true" as const) : undefined,
      "aria-describedby": described,
      onInput: (e: Event) =>
        setValues((v) => ({ ...v, [name]: (e.currentTarget as HTMLInputElement).value })),
    };
    return (
      <div class="hd-field">
        <label for={id(name)}>{label}</label>
        {opts.multiline
          ? <textarea rows={3} {...common} />
          : <input autocomplete="off" {...common} />}
        {opts.hint && !error && <span id={`${id(name)}-hint`} class="hd-hint">{opts.hint}</span>}
        {error && (
          <span id={`${id(name)}-error`} class="field-error" data-field-error={name}>{error}</span>
        )}
      </div>
    );
  };

  return (
    <form
      method="post"
      action={`/hosts/${p.hostId}`}
      class="hd-form"
      data-testid="host-edit-form"
      novalidate
      onSubmit={submit}
    >
      <input type="hidden" name="_csrf" value={p.csrf} />
      <input type="hidden" name="_action" value="update" />
      {errors._ && <p role="alert" class="alert">{errors._}</p>}
      {field("hostname_override", "Hostname", {
        hint: overrideHint(p.names),
        // An empty override shows the name in force underneath, greyed, so the form never looks
        // as if the host had no name.
        placeholder: nameUnderOverride(p.names)?.name ?? "",
        mono: true,
      })}
      {field("description", "Description")}
      {field("tags", "Tags", { hint: "Separate with ;" })}
      {field("notes", "Notes", { multiline: true })}
      <div class="hd-actions">
        <button type="submit" class="btn" disabled={status.kind === "saving"}>
          {status.kind === "saving" ? "Saving…" : "Save"}
        </button>
        <span role="status" class="hd-status" data-testid="host-edit-status">
          {status.kind === "saved" ? "Saved." : ""}
          {status.kind === "error" ? <span class="field-error">{status.message}</span> : ""}
        </span>
      </div>
    </form>
  );
}
