// The one place ad-hoc checks ask "may this address or prefix be probed?" (issue 11; SCAN_SCOPE).
import { AppError } from "@/services/errors.ts";
import { cidrContains, type ParsedCidr, parseCidr } from "@/services/ipam/mod.ts";

/**
 * Until the shared SCAN_SCOPE setting lands: loopback and the private ranges. The documentation
 * ranges the netns lab uses are not in it (outside a lab they would leave by the default route);
 * lab tests and benchmarks widen the scope for their lab only.
 */
export const DEFAULT_ADHOC_SCOPE = [
  "127.0.0.0/8",
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "::1/128",
  "fc00::/7",
];

export type Scope = readonly ParsedCidr[];

export function parseScope(cidrs: readonly string[] = DEFAULT_ADHOC_SCOPE): Scope {
  return cidrs.map((c) => parseCidr(c, { normalize: true }));
}

/**
 * Throws 422 `out_of_scope` unless every address of `target` (a parsed prefix; a single address is
 * a /32 or /128) lies inside one scope entry.
 */
export function assertInScope(target: ParsedCidr, scope: Scope): void {
  const inside = scope.some((s) =>
    s.family === target.family && cidrContains(s, target.network) && target.last <= s.last
  );
  if (!inside) {
    throw new AppError(
      422,
      "out_of_scope",
      `${target.cidr} is outside the scan scope (${scope.map((s) => s.cidr).join(", ")})`,
      { target: target.cidr },
    );
  }
}
