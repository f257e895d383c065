// POST /logout: ends the session on the server and clears the cookie.
import type { AppContext } from "@/web/env.ts";
import { logOut } from "@/web/login_flow.ts";

export async function POST(c: AppContext) {
  await logOut(c);
  return c.redirect("/login", 303);
}
