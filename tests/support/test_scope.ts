// The scan scope tests run with: the built-in default plus the lab ranges (RFC 5737/3849) that
// network-namespace labs and scripted runners use.
// Never 192.0.2.0/24: host-network guard (it is this machine's own network).
import { DEFAULT_SCAN_SCOPE, parseScanScope, type ScanScope } from "@/services/sweeps/mod.ts";

export const LAB_RANGES = ["198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"];

/** SCAN_SCOPE as tests export it. */
export const TEST_SCAN_SCOPE = [...DEFAULT_SCAN_SCOPE, ...LAB_RANGES].join(",");

/** The parsed test scope, for envs built by hand. */
export const testScope = (): Promise<ScanScope> => Promise.resolve(parseScanScope(TEST_SCAN_SCOPE));
