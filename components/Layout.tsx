// The page shell: skip link, header with navigation and search, main landmark, footer.
import type { ComponentChildren } from "preact";
import { island } from "@/web/islands.tsx";
import ThemeToggle from "@/islands/ThemeToggle.tsx";
import QuickSearch from "@/islands/QuickSearch.tsx";
import type { AuthUser } from "@/web/env.ts";

const ThemeToggleIsland = island("ThemeToggle", ThemeToggle);
const QuickSearchIsland = island("QuickSearch", QuickSearch);

export interface LayoutProps {
  title: string;
  path: string;
  user: AuthUser | null;
  csrfToken: string | null;
  theme: "light" | "dark";
  contrast: "normal" | "high";
  version: string;
  children: ComponentChildren;
}

const NAV = [
  { href: "/", label: "Dashboard" },
  { href: "/subnets", label: "Subnets" },
  { href: "/import", label: "Import" },
  { href: "/inventory/servers", label: "Inventory" },
  { href: "/operations/scans", label: "Operations" },
  { href: "/netflow", label: "NetFlow" },
  { href: "/scanner", label: "Scanner" },
  { href: "/events", label: "Events" },
  { href: "/alerts", label: "Alerts" },
  { href: "/settings", label: "Settings" },
];

function isCurrent(path: string, href: string) {
  return href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`);
}

export function Layout(p: LayoutProps) {
  return (
    <html lang="en" data-theme={p.theme} data-contrast={p.contrast}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {p.csrfToken && <meta name="csrf-token" content={p.csrfToken} />}
        <title>{`${p.title} · Pingfold`}</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/app.css" />
        <link rel="stylesheet" href="/_build/islands.css" />
        <script type="module" src="/_build/islands.js" defer></script>
      </head>
      <body class="min-h-screen flex flex-col">
        <a href="#main" class="skip-link">Skip to content</a>
        <header class="site-header">
          <div class="flex flex-wrap items-center gap-2 px-4 py-2 max-w-7xl mx-auto w-full">
            <a href="/" class="brand font-bold text-lg">Pingfold</a>
            {p.user && (
              <nav aria-label="Main" class="flex-1 min-w-0">
                <ul class="flex flex-wrap gap-0.5">
                  {NAV.map((n) => (
                    <li>
                      <a
                        href={n.href}
                        class="nav-link"
                        aria-current={isCurrent(p.path, n.href) ? "page" : undefined}
                      >
                        {n.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
            {p.user && (
              <form role="search" action="/search" method="get" class="flex">
                <label for="quick-search" class="sr-only">Search hosts and subnets</label>
                <input
                  id="quick-search"
                  name="q"
                  type="search"
                  placeholder="Search (/)"
                  class="input header-search"
                  autocomplete="off"
                />
              </form>
            )}
            <ThemeToggleIsland theme={p.theme} contrast={p.contrast} />
            {p.user && (
              <form method="post" action="/logout" class="flex items-center gap-2">
                <span class="muted text-sm user-label">{p.user.username} ({p.user.role})</span>
                <input type="hidden" name="_csrf" value={p.csrfToken ?? ""} />
                <button
                  type="submit"
                  class="btn btn-quiet"
                  title={`Log out ${p.user.username} (${p.user.role})`}
                >
                  Log out
                </button>
              </form>
            )}
          </div>
        </header>
        <main id="main" class="flex-1 w-full max-w-7xl mx-auto px-4 py-4" tabIndex={-1}>
          {p.children}
        </main>
        {p.user && <QuickSearchIsland />}
        <footer class="site-footer px-4 py-3 text-sm muted text-center">
          Pingfold {p.version}
          {p.user && (
            <>
              {" · "}
              <a class="link" href="/docs">API reference</a>
            </>
          )}
        </footer>
      </body>
    </html>
  );
}
