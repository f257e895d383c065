// GET/POST /login: the sign-in form, throttled, with a pre-session CSRF token.
import { getCookie, setCookie } from "hono/cookie";
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { AppError } from "@/services/errors.ts";
import { logIn } from "@/web/login_flow.ts";
import { timingSafeEqual } from "@/web/auth_middleware.ts";
import { safeNextPath as safeNext } from "@/web/safe_redirect.ts";

const LOGIN_CSRF_COOKIE = "pf_login_csrf";

function LoginForm(p: { csrf: string; next: string; error?: string; username?: string }) {
  return (
    <section class="card max-w-sm mx-auto mt-8" aria-labelledby="login-title">
      <h1 id="login-title" class="text-2xl font-bold mb-4">Log in to Pingfold</h1>
      {p.error && <p role="alert" class="alert mb-3">{p.error}</p>}
      <form method="post" action="/login" class="flex flex-col gap-3">
        <input type="hidden" name="_csrf" value={p.csrf} />
        <input type="hidden" name="next" value={p.next} />
        <label class="flex flex-col gap-1">
          Username
          <input
            class="input"
            name="username"
            autocomplete="username"
            required
            value={p.username}
          />
        </label>
        <label class="flex flex-col gap-1">
          Password
          <input
            class="input"
            name="password"
            type="password"
            autocomplete="current-password"
            required
          />
        </label>
        <button class="btn" type="submit">Log in</button>
      </form>
    </section>
  );
}

function loginToken(c: AppContext): string {
  let token = getCookie(c, LOGIN_CSRF_COOKIE);
  if (!token || token.length < 20) {
    token = crypto.randomUUID();
    setCookie(c, LOGIN_CSRF_COOKIE, token, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/login",
      secure: c.get("https"),
    });
  }
  return token;
}

export function GET(c: AppContext) {
  if (c.get("user")) return c.redirect("/", 303);
  return page(c, "Log in", <LoginForm csrf={loginToken(c)} next={safeNext(c.req.query("next"))} />);
}

export async function POST(c: AppContext) {
  const form = await c.req.parseBody();
  const field = (k: string) => (typeof form[k] === "string" ? form[k] as string : "");
  const cookieToken = getCookie(c, LOGIN_CSRF_COOKIE) ?? "";
  if (!cookieToken || !timingSafeEqual(field("_csrf"), cookieToken)) {
    throw new AppError(403, "csrf_failed", "the login form expired; reload the page and try again");
  }
  const next = safeNext(field("next"));
  try {
    const user = await logIn(c, field("username"), field("password"));
    return c.redirect(user.must_change_password ? "/account/password" : next, 303);
  } catch (e) {
    if (!(e instanceof AppError) || e.status !== 401) throw e;
    return page(
      c,
      "Log in",
      <LoginForm csrf={cookieToken} next={next} error={e.message} username={field("username")} />,
      401,
    );
  }
}
