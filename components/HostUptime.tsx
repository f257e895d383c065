// Uptime over 24 hours and 7 days as two figures, with the sample counts behind them.
import type { UptimeWindow } from "@/services/sweeps/mod.ts";
import { formatPercent } from "../shared/host_detail_format.ts";

export interface HostUptimeProps {
  h24: UptimeWindow;
  d7: UptimeWindow;
}

function Figure(p: { label: string; w: UptimeWindow; testId: string }) {
  const samples = p.w.samples === 1 ? "1 sweep" : `${p.w.samples} sweeps`;
  return (
    <div class="hd-figure">
      <dt>{p.label}</dt>
      <dd data-testid={p.testId} data-ratio={p.w.ratio ?? ""} title={samples}>
        {formatPercent(p.w.ratio)}
        <span class="sr-only">({samples})</span>
      </dd>
    </div>
  );
}

export function HostUptime(p: HostUptimeProps) {
  return (
    <dl class="hd-uptime">
      <Figure label="Uptime 24 h" w={p.h24} testId="uptime-24h" />
      <Figure label="Uptime 7 d" w={p.d7} testId="uptime-7d" />
    </dl>
  );
}
