import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import { canMutate, hasRole, requireRole } from "./roles.ts";

Deno.test("canMutate: admins and editors change data, viewers do not", () => {
  assert.equal(canMutate("admin"), true);
  assert.equal(canMutate("editor"), true);
  assert.equal(canMutate("viewer"), false);
});

Deno.test("hasRole orders admin > editor > viewer", () => {
  assert.equal(hasRole("admin", "editor"), true);
  assert.equal(hasRole("editor", "editor"), true);
  assert.equal(hasRole("editor", "admin"), false);
  assert.equal(hasRole("viewer", "viewer"), true);
});

Deno.test("requireRole passes enough, 403s too little with a clear message, 401s nobody", () => {
  requireRole({ username: "a", role: "admin" }, "editor");
  requireRole({ username: "e", role: "editor" }, "editor");
  assert.throws(
    () => requireRole({ username: "vic", role: "viewer" }, "editor"),
    (e) =>
      e instanceof AppError && e.status === 403 && e.code === "forbidden" &&
      e.message === 'this action needs the editor role or higher; "vic" is viewer',
  );
  assert.throws(
    () => requireRole({ username: "ed", role: "editor" }, "admin"),
    (e) =>
      e instanceof AppError && e.status === 403 &&
      /needs the admin role; "ed" is editor/.test(e.message),
  );
  assert.throws(
    () => requireRole(null, "viewer"),
    (e) => e instanceof AppError && e.status === 401,
  );
});
