// Renders the heavy, viewer-independent parts of a page once per data object. A memoized read
// (services/dashboard/read_memo.ts) hands the same object to every request in its window, so 200
// viewers of the dashboard share one rendering of its 500-row table instead of making 200.
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";

const rendered = new WeakMap<object, Map<string, string>>();

/** The HTML of `render()`, made once per (`data`, `key`); `render` must depend on nothing else. */
export function renderOnce(data: object, key: string, render: () => VNode): string {
  let byKey = rendered.get(data);
  if (!byKey) rendered.set(data, byKey = new Map());
  let html = byKey.get(key);
  if (html === undefined) byKey.set(key, html = renderToString(render()));
  return html;
}
