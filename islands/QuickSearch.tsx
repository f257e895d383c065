// Island: "/" anywhere on the page focuses the header search box (#quick-search); Escape leaves it.
import { useEffect } from "preact/hooks";

export type QuickSearchProps = Record<string, never>;

function typingInto(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
}

export default function QuickSearch(_props: QuickSearchProps) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const box = document.getElementById("quick-search") as HTMLInputElement | null;
      if (!box) return;
      if (e.key === "Escape" && e.target === box) {
        box.blur();
        return;
      }
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || typingInto(e.target)) return;
      e.preventDefault();
      box.focus();
      box.select();
    };
    document.addEventListener("keydown", onKey);
    // Tells assistive technology (and tests) that the shortcut is live.
    document.getElementById("quick-search")?.setAttribute("aria-keyshortcuts", "/");
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  return null;
}
