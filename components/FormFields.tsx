// Labelled form fields of the server-rendered forms: the label's text above its control, so a
// phone stacks them and a desktop lines them up. Extra attributes go to the control itself.
import type { JSX } from "preact";

type InputAttrs = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "class" | "label" | "value">;

export function Field(
  p: InputAttrs & {
    name: string;
    label: string;
    value?: string | null;
    /** Takes a whole row of the form. */
    wide?: boolean;
    /** Extra classes of the label (`flex-1 min-w-64`). */
    labelClass?: string;
    textarea?: boolean;
  },
) {
  const { label, value, wide, labelClass, textarea, ...attrs } = p;
  const id = attrs.id ?? `f-${p.name}`;
  const cls = ["flex flex-col text-sm", wide && "w-full", labelClass].filter(Boolean).join(" ");
  return (
    <label class={cls} for={id}>
      {label}
      {textarea
        ? (
          <textarea class="input" id={id} name={p.name} rows={3} placeholder={p.placeholder}>
            {value ?? ""}
          </textarea>
        )
        : <input class="input" type="text" {...attrs} id={id} value={value ?? ""} />}
    </label>
  );
}

/** A labelled select; `value` picks the selected option. */
export function SelectField(p: {
  name: string;
  /** Defaults to `f-<name>`; give one when two forms on a page share a field name. */
  id?: string;
  label: string;
  options: readonly (string | { value: string; label: string })[];
  value?: string | null;
  /** A first option with an empty value ("any", "none"). */
  empty?: string;
}) {
  const id = p.id ?? `f-${p.name}`;
  return (
    <label class="flex flex-col text-sm" for={id}>
      {p.label}
      <select class="input" id={id} name={p.name}>
        {p.empty !== undefined && <option value="">{p.empty}</option>}
        {p.options.map((o) => {
          const { value, label } = typeof o === "string" ? { value: o, label: o } : o;
          return <option key={value} value={value} selected={value === p.value}>{label}</option>;
        })}
      </select>
    </label>
  );
}
