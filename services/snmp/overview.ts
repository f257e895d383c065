// What the API and the host page show about a host's or subnet's SNMP: settings without secrets,
// the settings a poll would use, the last poll, and the host's name sources.
import type { Queryable } from "@/services/store/mod.ts";
import { type HostNameSources, hostNameSources } from "./host_names.ts";
import { getPoll, type PollRecord } from "./poll_repo.ts";
import {
  effectiveSettings,
  getSettings,
  requireScope,
  settingsView,
  type SnmpSettingsView,
} from "./settings_repo.ts";

export interface HostSnmpOverview {
  host_id: number;
  /** The host's own settings. */
  settings: SnmpSettingsView | null;
  /** What a poll uses: the host's settings, else the most specific subnet's. */
  effective: SnmpSettingsView | null;
  last_poll: PollRecord | null;
  names: HostNameSources;
}

/** 404 for an unknown host. */
export async function hostSnmpOverview(db: Queryable, hostId: number): Promise<HostSnmpOverview> {
  const names = await hostNameSources(db, hostId);
  const [own, [eff], poll] = await Promise.all([
    getSettings(db, { kind: "host", id: hostId }),
    effectiveSettings(db, [hostId]),
    getPoll(db, hostId),
  ]);
  return {
    host_id: hostId,
    settings: own ? settingsView(own) : null,
    effective: eff?.settings ? settingsView(eff.settings) : null,
    last_poll: poll,
    names,
  };
}

/** 404 for an unknown subnet. */
export async function subnetSnmpOverview(
  db: Queryable,
  subnetId: number,
): Promise<{ subnet_id: number; settings: SnmpSettingsView | null }> {
  await requireScope(db, { kind: "subnet", id: subnetId });
  const row = await getSettings(db, { kind: "subnet", id: subnetId });
  return { subnet_id: subnetId, settings: row ? settingsView(row) : null };
}
