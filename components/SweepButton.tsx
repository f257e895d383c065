// "Sweep now" for one subnet: a plain button and a status line that the SweepNow island drives.

export interface SweepButtonProps {
  subnetId: number;
  cidr: string;
  /** Smaller, for a table row. */
  compact?: boolean;
}

export function SweepButton(p: SweepButtonProps) {
  return (
    <span class="sweep-now inline-flex flex-wrap items-center gap-2">
      <button
        type="button"
        class={p.compact ? "btn btn-quiet btn-small" : "btn"}
        data-sweep-subnet={p.subnetId}
        aria-label={p.compact ? `Sweep now: ${p.cidr}` : undefined}
        aria-describedby={`sweep-status-${p.subnetId}`}
      >
        Sweep now
      </button>
      <span
        id={`sweep-status-${p.subnetId}`}
        class="text-sm"
        role="status"
        data-sweep-status={p.subnetId}
        data-testid="sweep-status"
      />
    </span>
  );
}
