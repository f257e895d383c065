// axe-core and layout checks on a page in real Chromium: serious/critical findings and overflow.
import type { Page } from "playwright-core";

let source: Promise<string> | undefined;

/** axe-core's browser build, read once from node_modules. */
export function axeSource(): Promise<string> {
  source ??= Deno.readTextFile(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url))
    .catch((e) => {
      throw new Error(`axe-core not installed in node_modules (deno install): ${e}`);
    });
  return source;
}

/** axe-core on the current page; returns the serious and critical violations, readable. */
export async function axeCheck(page: Page, where: string): Promise<string[]> {
  // page.evaluate runs over the DevTools protocol, which the page's CSP does not restrict.
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.evaluate(await axeSource());
  const violations = await page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const axe = (globalThis as any).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v: {
      id: string;
      impact: string;
      help: string;
      nodes: Array<{ target: string[] }>;
    }) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 4).map((n) => n.target.join(" ")),
    }));
  });
  return violations
    .filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical")
    .map((v: { id: string; impact: string; help: string; targets: string[] }) =>
      `${where}: ${v.impact} ${v.id} (${v.help}) at ${v.targets.join(", ")}`
    );
}

/**
 * Horizontal overflow of the page itself (the document scrolls sideways), with the elements
 * that stick out past the viewport, so a failure says what to fix. Scroll boxes (a table
 * inside `overflow-x: auto`) are fine: their content is clipped and scrolls on its own.
 */
export async function overflowCheck(page: Page, where: string): Promise<string[]> {
  const found = await page.evaluate(() => {
    const width = innerWidth;
    const doc = document.scrollingElement!;
    if (doc.scrollWidth <= width) return null;
    const clipped = (el: Element | null): boolean => {
      // An absolutely placed element escapes a scroll box that is not its containing block.
      if (el && /absolute|fixed/.test(getComputedStyle(el).position)) return false;
      for (let p = el?.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return true;
      }
      return false;
    };
    const culprits: string[] = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0 && !clipped(el)) {
        const cls = (el.getAttribute("class") ?? "").split(/\s+/).slice(0, 3).join(".");
        culprits.push(
          `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${cls ? "." + cls : ""}` +
            ` (right ${Math.round(r.right)})`,
        );
        if (culprits.length >= 6) break;
      }
    }
    return { scrollWidth: doc.scrollWidth, width, culprits };
  });
  if (!found) return [];
  return [
    `${where}: page is ${found.scrollWidth} px wide in a ${found.width} px viewport; ` +
    `sticking out: ${found.culprits.join(", ")}`,
  ];
}
