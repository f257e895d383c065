// The probes ad-hoc checks reuse from discovery (fping/ping/TCP sweeper, nmap port scan); the one
// file of operations that imports discovery, so a move of discovery is re-pointed here only.
export {
  assertInScope,
  type CommandRunner,
  createCommandRunner,
  type NmapPort,
  parseNmapArgs,
  planSweep,
  portscan,
  readScanScope,
  runCommand,
  type ScanScope,
  sweep,
  type SweepHostResult,
  type SweepMethod,
  type TcpDial,
} from "@/services/discovery/mod.ts";
