// Public API of live discovery: plan and run sweeps, and port-scan hosts with nmap.
export {
  type CommandRunner,
  type CommandRunnerOptions,
  createCommandRunner,
  runCommand,
  type RunOptions,
  type RunResult,
} from "./command_runner.ts";
export {
  DEFAULT_MAX_SWEEP_PREFIX,
  normalizeIp,
  type PlanOptions,
  planSweep,
  type SweepPlan,
} from "./sweep_plan.ts";
export {
  sweep,
  type SweepHostResult,
  type SweepMethod,
  type SweepOptions,
  type SweepResult,
} from "./sweeper.ts";
export {
  fpingArgs,
  type FpingArgsOptions,
  type FpingHost,
  type FpingReport,
  parseFpingOutput,
} from "./fping_parser.ts";
export type { TcpDial } from "./tcp_probe.ts";
export {
  DEFAULT_NMAP_ARGS,
  defaultNmapArgs,
  isRoot,
  type NmapArgsOptions,
  parseNmapArgs,
} from "./nmap_args.ts";
export { type NmapHost, type NmapPort, parseNmapXml } from "./nmap_xml.ts";
export { portscan, type PortscanOptions, type PortscanResult } from "./portscan.ts";
