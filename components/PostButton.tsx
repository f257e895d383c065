// A form of one button: the CSRF field, any hidden fields, and the button that posts them. Pages
// use it for row actions (delete, revoke, test, unlink) so each is a real POST without script.
import { Csrf } from "./CsrfField.tsx";

export function PostButton(p: {
  csrf: string;
  label: string;
  /** Where it posts; the page's own URL when left out. */
  action?: string;
  /** Hidden fields posted with it, e.g. `{ _action: "delete", id: "4" }`. */
  fields?: Record<string, string>;
  variant?: "quiet" | "danger";
  small?: boolean;
  testId?: string;
  formClass?: string;
}) {
  const variant = p.variant ?? "quiet";
  return (
    <form method="post" action={p.action} class={p.formClass}>
      <Csrf token={p.csrf} />
      {Object.entries(p.fields ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button
        class={`btn btn-${variant}${p.small ? " btn-small" : ""}`}
        type="submit"
        data-testid={p.testId}
      >
        {p.label}
      </button>
    </form>
  );
}
