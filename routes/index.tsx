// GET /: the dashboard.
import type { AppContext } from "@/services/web/env.ts";
import { page } from "@/services/web/render.tsx";

export function GET(c: AppContext) {
  return page(
    c,
    "Dashboard",
    <section aria-labelledby="dash-title">
      <h1 id="dash-title" class="text-2xl font-bold mb-4">Dashboard</h1>
      <p class="muted">Welcome, {c.get("user")?.username}.</p>
    </section>,
  );
}
