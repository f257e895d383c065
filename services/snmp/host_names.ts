// A host's names from every source, which one wins, and what SNMP last said about it.
import { notFound } from "@/services/errors.ts";
import type { Queryable } from "@/services/store/mod.ts";
import { type HostNames, type HostnameSource, resolveHostNames } from "./names.ts";

export interface HostNameSources extends HostNames {
  sys_name: string | null;
  sys_descr: string | null;
}

export async function hostNameSources(db: Queryable, hostId: number): Promise<HostNameSources> {
  const rows = await db.query<{
    hostname: string | null;
    hostname_override: string | null;
    hostname_source: HostnameSource;
    sys_name: string | null;
    sys_descr: string | null;
  }>(
    `select h.hostname, h.hostname_override, h.hostname_source, p.sys_name, p.sys_descr
     from host h left join snmp_poll p on p.host_id = h.id where h.id = $1`,
    [hostId],
  );
  const r = rows[0];
  if (!r) throw notFound(`host ${hostId}`);
  return {
    ...resolveHostNames({ ...r, snmp_sys_name: r.sys_name }),
    sys_name: r.sys_name,
    sys_descr: r.sys_descr,
  };
}
