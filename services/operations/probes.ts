// The probes ad-hoc checks reuse from sweeps, port scans and jobs (fping/ping/TCP sweeper, nmap,
// the command runner, the scan scope); the one file of operations that imports them.
export {
  assertInScope,
  planSweep,
  readScanScope,
  type ScanScope,
  sweep,
  type SweepHostResult,
  type SweepMethod,
  type TcpDial,
} from "@/services/sweeps/mod.ts";
export { type NmapPort, parseNmapArgs, portscan } from "@/services/portscans/mod.ts";
export { type CommandRunner, createCommandRunner, runCommand } from "@/services/jobs/mod.ts";
