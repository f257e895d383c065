// The one shape of a listing table: a labelled, keyboard-focusable scroll box (its edge shadows
// say which side hides columns; on a phone the first column stays put), column headers, an
// optional header cell for row buttons, and the rows the page passes in.
import type { ComponentChildren } from "preact";

/** A header: its text, or its text and a class (e.g. `hide-sm` for a column phones skip). */
export type Column = string | { label: string; class?: string };

export function DataTable(p: {
  /** Names the scroll region for screen readers ("Servers", "Action runs"). */
  label: string;
  columns: Column[];
  /** Adds a last, visually empty header over the rows' buttons. */
  actions?: boolean;
  testId?: string;
  /** Extra classes of the table (`inv-table`, `text-sm`, `mt-3`). */
  class?: string;
  /** Extra classes of the scroll box (`mb-3`). */
  boxClass?: string;
  children: ComponentChildren;
}) {
  return (
    <div
      class={p.boxClass ? `table-scroll ${p.boxClass}` : "table-scroll"}
      tabIndex={0}
      role="region"
      aria-label={p.label}
    >
      <table class={p.class ? `table ${p.class}` : "table"} data-testid={p.testId}>
        <thead>
          <tr>
            {p.columns.map((c) => {
              const { label, class: cls } = typeof c === "string"
                ? { label: c, class: undefined }
                : c;
              return <th key={label} scope="col" class={cls}>{label}</th>;
            })}
            {p.actions && (
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{p.children}</tbody>
      </table>
    </div>
  );
}
