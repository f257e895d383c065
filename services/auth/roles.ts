// Role checks: admin > editor > viewer; viewers read, editors change data, admins manage users.
import { AppError } from "@/services/errors.ts";
import type { Role, User } from "./users.ts";

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** True when the role may change inventory data (create, edit, delete, scan). */
export function canMutate(role: Role): boolean {
  return RANK[role] >= RANK.editor;
}

export function hasRole(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

/** 401 without a user; 403 naming the needed and actual role when the role is too low. */
export function requireRole(
  user: Pick<User, "username" | "role"> | null | undefined,
  min: Role,
): asserts user is Pick<User, "username" | "role"> {
  if (!user) throw new AppError(401, "unauthorized", "sign in first: this needs an account");
  if (!hasRole(user.role, min)) {
    const needed = min === "admin" ? "the admin role" : `the ${min} role or higher`;
    throw new AppError(
      403,
      "forbidden",
      `this action needs ${needed}; ${JSON.stringify(user.username)} is ${user.role}`,
    );
  }
}
