// Public API of SNMP names: settings (write-only secrets), reading sysName/sysDescr, polling
// hosts, and the precedence of a host's names.
export {
  AUTH_PROTOCOLS,
  type AuthProtocol,
  PRIV_PROTOCOLS,
  type PrivProtocol,
  readSystem,
  type SnmpCredentials,
  type SnmpReading,
  type SnmpSession,
  type SnmpSessionFactory,
  type SnmpStatus,
  type SnmpTarget,
  SYS_DESCR_OID,
  SYS_NAME_OID,
} from "./reader.ts";
export { netSnmpSessionFactory } from "./net_snmp_session.ts";
export { cleanSnmpText, hostnameFromSysName, MAX_SNMP_TEXT } from "./text.ts";
export {
  type HostNames,
  type HostnameSource,
  NAME_PRECEDENCE,
  type NameSource,
  resolveHostNames,
} from "./names.ts";
export { type HostNameSources, hostNameSources } from "./host_names.ts";
export {
  deleteSettings,
  effectiveSettings,
  getSettings,
  putSettings,
  type SettingsScope,
  settingsView,
  type SnmpSettingsInput,
  type SnmpSettingsView,
} from "./settings_repo.ts";
export { getPoll, type PollRecord } from "./poll_repo.ts";
export { type HostSnmpOverview, hostSnmpOverview, subnetSnmpOverview } from "./overview.ts";
export {
  createSnmpPoller,
  type HostPollResult,
  type SnmpPoller,
  type SnmpPollerOptions,
  type SweepPollSummary,
} from "./poller.ts";
