// Public API of the optional active ARP sweep (Debian's arp-scan) for subnets on a local interface.
export {
  type ArpAnswer,
  arpScanArgs,
  type ArpScanOptions,
  type ArpScanResult,
  parseArpScan,
  runArpScan,
} from "./arp_scan.ts";
export {
  type InterfaceAddress,
  interfaceFor,
  parseInterfaceAddresses,
  readInterfaceAddresses,
} from "./local_interface.ts";
export {
  type ArpPass,
  type ArpSweep,
  type ArpSweepOptions,
  createArpSweep,
  MAX_ARP_TARGETS,
  mergeArpAnswers,
  type ProbeVerdict,
} from "./arp_sweep.ts";
