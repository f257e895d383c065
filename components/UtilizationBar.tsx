// A subnet's used share as a bar with a text equivalent for screen readers.
import { formatCount } from "../shared/format_count.ts";

export interface UtilizationBarProps {
  percent: number;
  used: string;
  usable: string;
}

export function UtilizationBar(p: UtilizationBarProps) {
  const pct = Math.max(0, Math.min(100, p.percent));
  const label = `${pct}% used (${formatCount(p.used)} of ${formatCount(p.usable)})`;
  return (
    <span class="flex items-center gap-2" title={label}>
      <span class="bar flex-1" role="img" aria-label={label}>
        <span
          style={`width: ${pct}%`}
          class={pct >= 90 ? "bar-hot" : pct >= 75 ? "bar-warm" : undefined}
        />
      </span>
      <span class="text-xs muted w-12 text-right" aria-hidden="true">{pct}%</span>
    </span>
  );
}
