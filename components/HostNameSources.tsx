// Where a host's name can come from, strongest first, with the one shown marked, plus what SNMP
// last said (sysDescr, poll outcome). Device strings are untrusted: rendered as text only.
import type { HostNameSources as Names, PollRecord } from "@/services/snmp/mod.ts";
import { timeAgo } from "../shared/host_detail_format.ts";
import { NAME_SOURCE_LABELS as LABELS, nameInForceText } from "../shared/host_name.ts";
import type { SnmpSettingsSummary } from "../islands/SnmpSettingsForm.tsx";

export interface SnmpNameView {
  names: Names;
  /** The last poll's outcome, null when never polled. */
  poll: Pick<PollRecord, "status" | "error" | "polled_at"> | null;
  /** The host's own SNMP settings (never secrets), for the settings form. */
  settings: SnmpSettingsSummary | null;
  effectiveFrom: "host" | "subnet" | null;
}

export function HostNameSources(p: { view: SnmpNameView; now: number; headingId: string }) {
  const { names, poll } = p.view;
  return (
    <div class="hd-names" data-testid="name-sources">
      <p class="hd-label" id={p.headingId}>Name sources (strongest first)</p>
      <p class="text-sm" data-testid="name-in-force">{nameInForceText(names)}</p>
      <dl class="hd-facts" aria-labelledby={p.headingId}>
        {names.candidates.map((c) => (
          <div class="hd-fact" key={c.source} data-source={c.source}>
            <dt>{LABELS[c.source]}</dt>
            <dd class="mono">
              {c.name ?? <span class="muted">—</span>}
              {names.winner === c.source && (
                <span class="chip ml-2" data-testid="name-winner">in force</span>
              )}
            </dd>
          </div>
        ))}
        {names.sys_name && names.sys_name !== names.candidates.at(-1)?.name && (
          <div class="hd-fact">
            <dt>sysName as sent</dt>
            <dd>{names.sys_name}</dd>
          </div>
        )}
        {names.sys_descr && (
          <div class="hd-fact">
            <dt>sysDescr</dt>
            <dd>{names.sys_descr}</dd>
          </div>
        )}
        {poll && (
          <div class="hd-fact" data-testid="snmp-poll">
            <dt>Last SNMP read</dt>
            <dd>
              {poll.status === "ok" ? "ok" : <strong>{poll.status.replace("_", " ")}</strong>}{" "}
              <span class="muted">{timeAgo(poll.polled_at, p.now)}</span>
              {poll.error && <div class="muted text-sm">{poll.error}</div>}
            </dd>
          </div>
        )}
      </dl>
    </div>
  );
}
