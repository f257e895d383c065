// Island: makes a GET filter form apply a drop-down choice at once (no "Apply" click needed) and
// keeps the sticky bar below the sticky site header, whatever height the header wraps to.
import { useEffect } from "preact/hooks";

export interface FilterBarProps extends Record<string, unknown> {
  /** id of the <form method="get"> to drive. */
  formId: string;
}

export default function FilterBar(p: FilterBarProps) {
  useEffect(() => {
    const form = document.getElementById(p.formId) as HTMLFormElement | null;
    if (!form) return;
    const onChange = (e: Event) => {
      if ((e.target as HTMLElement).tagName === "SELECT") form.requestSubmit();
    };
    form.addEventListener("change", onChange);

    const header = document.querySelector<HTMLElement>(".site-header");
    const root = document.documentElement;
    const measure = () => {
      // Only a header that stays on screen pushes the bar down.
      const sticky = header && getComputedStyle(header).position === "sticky";
      root.style.setProperty("--pf-header-h", `${sticky ? header.offsetHeight : 0}px`);
    };
    measure();
    const observer = header ? new ResizeObserver(measure) : null;
    if (header) observer!.observe(header);
    form.dataset.enhanced = "true";
    return () => {
      form.removeEventListener("change", onChange);
      observer?.disconnect();
    };
  }, [p.formId]);
  return null;
}
