// Which of a host's names wins (the rule itself lives in shared/host_name.ts so the islands use
// the same one); here the raw sysName is made DNS-safe first.
import {
  type HostNames,
  type HostnameSource,
  resolveHostNames as resolve,
} from "../../shared/host_name.ts";
import { hostnameFromSysName } from "./text.ts";

export {
  type HostNames,
  type HostnameSource,
  NAME_PRECEDENCE,
  type NameCandidate,
  type NameSource,
} from "../../shared/host_name.ts";

export interface NameFacts {
  hostname_override: string | null;
  hostname: string | null;
  hostname_source: HostnameSource;
  /** The last sysName read from the host (cleaned), if any. */
  snmp_sys_name: string | null;
}

export function resolveHostNames(f: NameFacts): HostNames {
  return resolve({ ...f, snmp_name: hostnameFromSysName(f.snmp_sys_name) });
}
