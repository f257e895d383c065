// Turns a page's Preact tree into a full HTML response inside the layout, with its CSS.
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { Layout } from "@/components/Layout.tsx";
import type { AppEnv } from "./env.ts";
import { cssFor } from "./twind.ts";
import { VERSION } from "./version.ts";

export function renderDocument(c: Context<AppEnv>, title: string, body: VNode): string {
  const theme = getCookie(c, "pf_theme") === "dark" ? "dark" : "light";
  const contrast = getCookie(c, "pf_contrast") === "high" ? "high" : "normal";
  const html = renderToString(
    <Layout
      title={title}
      path={c.req.path}
      user={c.get("user") ?? null}
      csrfToken={c.get("csrfToken") ?? null}
      theme={theme}
      contrast={contrast}
      version={VERSION}
    >
      {body}
    </Layout>,
  );
  const css = cssFor(html);
  return `<!DOCTYPE html>${html.replace("</head>", `<style>${css}</style></head>`)}`;
}

/** Renders a page with the shell; status defaults to 200. */
export function page(c: Context<AppEnv>, title: string, body: VNode, status = 200): Response {
  return c.html(renderDocument(c, title, body), status as 200, {
    "cache-control": "no-store",
  });
}

export function renderErrorPage(c: Context<AppEnv>, status: number, message: string): string {
  const heading = status === 404 ? "Not found" : status >= 500 ? "Something went wrong" : "Error";
  return renderDocument(
    c,
    heading,
    <section aria-labelledby="err-title" class="card max-w-xl">
      <h1 id="err-title" class="text-2xl font-bold mb-2">{heading}</h1>
      <p data-testid="error-message">{message}</p>
      <p class="mt-4">
        <a href="/" class="link">Back to the dashboard</a>
      </p>
    </section>,
  );
}
