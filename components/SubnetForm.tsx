// Add/edit subnet form with server-side validation messages shown next to each field.
import { uiWords } from "../shared/ui_words.ts";
export interface SubnetFormProps {
  action: string;
  csrf: string;
  /** Field values to show (what the user typed, or the stored subnet). */
  values?: Record<string, string>;
  errors?: Record<string, string>;
  submitLabel: string;
  /** Hidden `_action` value for pages with several forms. */
  formAction?: string;
  idPrefix?: string;
  /** The interval a subnet gets when the field is left empty (SCAN_SWEEP_INTERVAL_MINUTES). */
  defaultIntervalS?: number;
  /** Compact: only cidr, name, vlan, tags on one line (the dashboard). */
  compact?: boolean;
  /** Editing an existing subnet: offer what to do with hosts a new cidr leaves outside. */
  editing?: boolean;
}

function Field(p: {
  id: string;
  name: string;
  label: string;
  value?: string;
  error?: string;
  placeholder?: string;
  required?: boolean;
  type?: string;
  class?: string;
  mono?: boolean;
  hint?: string;
}) {
  const errId = `${p.id}-error`;
  return (
    <label class={`flex flex-col gap-1 ${p.class ?? ""}`} for={p.id}>
      <span class="text-sm font-semibold">{p.label}</span>
      <input
        id={p.id}
        name={p.name}
        type={p.type ?? "text"}
        class={`input${p.mono ? " mono" : ""}`}
        value={p.value ?? ""}
        placeholder={p.placeholder}
        required={p.required}
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={p.error ? errId : undefined}
        autocomplete="off"
      />
      {p.hint && !p.error && <span class="text-xs muted">{p.hint}</span>}
      {p.error && (
        <span id={errId} class="field-error text-sm" data-field-error={p.name}>
          {uiWords(p.error)}
        </span>
      )}
    </label>
  );
}

export function SubnetForm(p: SubnetFormProps) {
  const v = p.values ?? {};
  const e = p.errors ?? {};
  const id = (name: string) => `${p.idPrefix ?? "subnet"}-${name}`;
  return (
    <form method="post" action={p.action} class="flex flex-col gap-3" novalidate>
      <input type="hidden" name="_csrf" value={p.csrf} />
      {p.formAction && <input type="hidden" name="_action" value={p.formAction} />}
      {e._ && <p role="alert" class="alert">{e._}</p>}
      <div class="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Field
          id={id("cidr")}
          name="cidr"
          label="CIDR"
          value={v.cidr}
          error={e.cidr}
          placeholder="198.51.100.0/24 or 2001:db8::/64"
          required
          mono
        />
        <Field id={id("name")} name="name" label="Name" value={v.name} error={e.name} />
        <Field
          id={id("vlan")}
          name="vlan"
          label="VLAN"
          value={v.vlan}
          error={e.vlan}
          placeholder="1-4094"
          type="text"
        />
        <Field
          id={id("tags")}
          name="tags"
          label="Tags"
          value={v.tags}
          error={e.tags}
          placeholder="prod; dc1"
          hint="separate with ;"
        />
      </div>
      {!p.compact && (
        <div class="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <Field
            id={id("description")}
            name="description"
            label="Description"
            value={v.description}
            error={e.description}
            class="lg:col-span-2"
          />
          <Field
            id={id("location")}
            name="location"
            label="Location"
            value={v.location}
            error={e.location}
          />
          <Field
            id={id("scan_interval_s")}
            name="scan_interval_s"
            label="Scan interval (s)"
            value={v.scan_interval_s}
            error={e.scan_interval_s}
            placeholder={`${p.defaultIntervalS ?? 300} (default)`}
          />
          <Field
            id={id("site")}
            name="site"
            label="Site"
            value={v.site}
            error={e.site}
            placeholder="local"
          />
        </div>
      )}
      <div class="flex flex-wrap items-center gap-4">
        {!p.compact && (
          <label class="flex items-center gap-2">
            <input
              type="checkbox"
              name="scan_enabled"
              checked={!!v.scan_enabled}
              aria-invalid={e.scan_enabled ? "true" : undefined}
              aria-describedby={e.scan_enabled ? id("scan_enabled-error") : undefined}
            />
            Scan this subnet
          </label>
        )}
        {p.editing && (
          <label class="flex items-center gap-2" for={id("orphans")}>
            <span class="text-sm">Hosts a new CIDR leaves outside</span>
            <select
              id={id("orphans")}
              name="orphans"
              class="input"
              aria-invalid={e.orphans ? "true" : undefined}
              aria-describedby={e.orphans ? id("orphans-error") : undefined}
            >
              <option value="" selected={!v.orphans}>refuse the change</option>
              <option value="move_to_parent" selected={v.orphans === "move_to_parent"}>
                move them to the parent subnet
              </option>
              <option value="delete" selected={v.orphans === "delete"}>delete them</option>
            </select>
          </label>
        )}
        <label class="flex items-center gap-2">
          <input type="checkbox" name="normalize" checked={!!v.normalize} />
          Fix host bits (10.0.0.5/24 → 10.0.0.0/24)
        </label>
        <button type="submit" class="btn">{p.submitLabel}</button>
      </div>
      {["scan_enabled", "orphans"].map((name) =>
        e[name] && (
          <p id={id(`${name}-error`)} class="field-error text-sm" data-field-error={name}>
            {uiWords(e[name])}
          </p>
        )
      )}
    </form>
  );
}
