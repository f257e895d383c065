// Island: keyboard navigation over host rows (`tr[data-host-id]`): j/k move, Enter opens the host
// drawer (or the host page when the page has no drawer), ? shows the keys. `/` (search) belongs to
// QuickSearch; Esc closes this help and the drawer closes itself.
import { useEffect, useRef, useState } from "preact/hooks";

export interface KeyboardNavProps extends Record<string, unknown> {
  /** What the rows are, for the help text ("alive hosts", "addresses"). */
  rowsLabel?: string;
}

const ROW = "tr[data-host-id]";

function typingInto(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
}

function visibleRows(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>(ROW)].filter((r) => r.offsetParent !== null);
}

/** Roving tabindex: only the current row is in the Tab order. */
function makeCurrent(row: HTMLElement, focus: boolean) {
  // Only the previous current row needs resetting: a page may hold 10,000 rows.
  for (const r of document.querySelectorAll<HTMLElement>(`${ROW}.is-current`)) {
    if (r !== row) {
      r.tabIndex = -1;
      r.classList.remove("is-current");
    }
  }
  row.tabIndex = 0;
  row.classList.add("is-current");
  if (focus) {
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }
}

/** Asks the drawer to open the row's host; without a drawer, goes to the host page. */
export function openRow(row: HTMLElement) {
  const id = Number(row.dataset.hostId);
  if (!Number.isSafeInteger(id) || id <= 0) return;
  const event = new CustomEvent("pf:open-host", {
    detail: { id, opener: row },
    cancelable: true,
  });
  if (document.dispatchEvent(event)) location.assign(`/hosts/${id}`);
}

export default function KeyboardNav(p: KeyboardNavProps) {
  const [helpOpen, setHelpOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement | null>(null);

  useEffect(() => {
    const first = visibleRows()[0];
    if (first) makeCurrent(first, false);

    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingInto(e.target)) return;
      if (document.documentElement.classList.contains("drawer-open")) return;
      if (e.key === "?") {
        e.preventDefault();
        setHelpOpen((o) => !o);
        return;
      }
      if (dialog.current?.open) return;
      const rows = visibleRows();
      if (rows.length === 0) return;
      const active = document.activeElement as HTMLElement | null;
      const inRow = active?.closest<HTMLElement>(ROW) ?? null;
      const current = inRow ?? rows.find((r) => r.classList.contains("is-current")) ?? null;
      const at = current ? rows.indexOf(current) : -1;
      if (e.key === "j" || e.key === "k") {
        e.preventDefault();
        // From outside the list, the first key press lands on the current row itself.
        const step = inRow ? (e.key === "j" ? 1 : -1) : 0;
        const next = at < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, at + step));
        makeCurrent(rows[next], true);
      } else if (e.key === "Enter" && active && active === inRow) {
        // Enter on a link inside the row follows the link (the drawer catches its click).
        e.preventDefault();
        openRow(active);
      }
    };
    // Clicking a row makes it the current one, so j/k continue from there.
    const onFocus = (e: FocusEvent) => {
      const target = e.target as HTMLElement | null;
      const row = typeof target?.closest === "function" ? target.closest<HTMLElement>(ROW) : null;
      if (row) makeCurrent(row, false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("focusin", onFocus);
    document.documentElement.dataset.keyboardNav = "ready";
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("focusin", onFocus);
    };
  }, []);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (helpOpen && !d.open) d.showModal();
    if (!helpOpen && d.open) d.close();
  }, [helpOpen]);

  const rows = p.rowsLabel ?? "rows";
  return (
    <>
      <button
        type="button"
        class="btn btn-quiet btn-small"
        aria-keyshortcuts="?"
        aria-haspopup="dialog"
        data-testid="keys-button"
        onClick={() => setHelpOpen(true)}
      >
        Keys <kbd aria-hidden="true">?</kbd>
      </button>
      <dialog
        ref={dialog}
        class="keys-dialog"
        aria-labelledby="keys-title"
        data-testid="keys-dialog"
        onClose={() => setHelpOpen(false)}
      >
        <h2 id="keys-title" class="hd-title">Keyboard shortcuts</h2>
        <dl class="keys-list">
          <dt>
            <kbd>/</kbd>
          </dt>
          <dd>Search</dd>
          <dt>
            <kbd>j</kbd> <kbd>k</kbd>
          </dt>
          <dd>Move down / up the {rows}</dd>
          <dt>
            <kbd>Enter</kbd>
          </dt>
          <dd>Open the host's details</dd>
          <dt>
            <kbd>Esc</kbd>
          </dt>
          <dd>Close the details or this help</dd>
          <dt>
            <kbd>?</kbd>
          </dt>
          <dd>Show or hide these keys</dd>
        </dl>
        <form method="dialog">
          <button type="submit" class="btn">Close</button>
        </form>
      </dialog>
    </>
  );
}
