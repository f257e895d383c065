// The one place ad-hoc checks ask "may this address or prefix be probed?": the shared scan scope
// (SCAN_SCOPE, or the admin's setting), read fresh for each request.
import type { ParsedCidr } from "@/services/ipam/mod.ts";
import { assertInScope as assertInScanScope, type ScanScope } from "./probes.ts";

export type Scope = ScanScope;

/** Throws 422 `outside_scan_scope` unless every address of `target` is inside the scope. */
export function assertInScope(target: ParsedCidr, scope: Scope): void {
  const single = target.prefix === (target.family === 4 ? 32 : 128);
  assertInScanScope(single ? target.network : target.cidr, scope, single ? "address" : "prefix");
}
