// GET/POST /account/password: change one's password (forced while the default is in use).
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { AppError } from "@/services/errors.ts";
import { changeOwnPassword } from "@/web/password_change.ts";

function PasswordForm(p: { csrf: string; forced: boolean; error?: string }) {
  return (
    <section class="card max-w-md mx-auto mt-8" aria-labelledby="pw-title">
      <h1 id="pw-title" class="text-2xl font-bold mb-2">Change your password</h1>
      {p.forced && (
        <p class="notice mb-3" data-testid="forced-change">
          You are still using the default password. Choose a new one to continue.
        </p>
      )}
      {p.error && <p role="alert" class="alert mb-3">{p.error}</p>}
      <form method="post" action="/account/password" class="flex flex-col gap-3">
        <input type="hidden" name="_csrf" value={p.csrf} />
        <label class="flex flex-col gap-1">
          Current password
          <input
            class="input"
            name="current"
            type="password"
            autocomplete="current-password"
            required
          />
        </label>
        <label class="flex flex-col gap-1">
          New password (at least 10 characters)
          <input
            class="input"
            name="password"
            type="password"
            autocomplete="new-password"
            required
            minLength={10}
          />
        </label>
        <button class="btn" type="submit">Save password</button>
      </form>
    </section>
  );
}

export function GET(c: AppContext) {
  return page(
    c,
    "Change password",
    <PasswordForm csrf={c.get("csrfToken") ?? ""} forced={!!c.get("user")?.must_change_password} />,
  );
}

export async function POST(c: AppContext) {
  const form = await c.req.parseBody();
  const current = typeof form.current === "string" ? form.current : "";
  const next = typeof form.password === "string" ? form.password : "";
  try {
    await changeOwnPassword(c, current, next);
    return c.redirect("/", 303);
  } catch (e) {
    if (!(e instanceof AppError) || e.status !== 422) throw e;
    return page(
      c,
      "Change password",
      <PasswordForm
        csrf={c.get("csrfToken") ?? ""}
        forced={!!c.get("user")?.must_change_password}
        error={e.message}
      />,
      422,
    );
  }
}
