// The one place ad-hoc checks ask "may this address or prefix be probed?" (issue 11; SCAN_SCOPE).
import { AppError } from "@/services/errors.ts";
import { cidrContains, parseCidr, type ParsedCidr } from "@/services/ipam/mod.ts";

/**
 * Interim scope until the shared SCAN_SCOPE module lands: loopback, private ranges and the
 * documentation ranges the netns lab uses. 192.0.2.0/24 is deliberately absent.
 */
const INTERIM_SCOPE = [
  "127.0.0.0/8",
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "::1/128",
  "fc00::/7",
].map((c) => parseCidr(c));

/**
 * Throws 422 `out_of_scope` unless every address of `target` (a parsed prefix; a single address is
 * a /32 or /128) lies inside one scope entry.
 */
export function assertInScope(target: ParsedCidr): void {
  const inside = INTERIM_SCOPE.some((s) =>
    s.family === target.family && cidrContains(s, target.network) && target.last <= s.last
  );
  if (!inside) {
    throw new AppError(
      422,
      "out_of_scope",
      `${target.cidr} is outside the scan scope (${INTERIM_SCOPE.map((s) => s.cidr).join(", ")})`,
      { target: target.cidr },
    );
  }
}
