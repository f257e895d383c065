// Bytes over time as server-rendered stacked bars: internal, outbound, inbound and external
// traffic per bucket. The SVG holds only bars (it stretches to any width); the scale, times
// and legend are HTML text, so they stay readable on a phone.
import type { SeriesPoint } from "@/services/netflow/mod.ts";
import { formatBytes } from "../shared/format_bytes.ts";

export interface TrafficChartProps {
  points: SeriesPoint[];
  bucketMs: number;
}

const W = 1000;
const H = 160;

export const SERIES = [
  { key: "internal", label: "Internal ↔ internal" },
  { key: "outbound", label: "Internal → External" },
  { key: "inbound", label: "External → internal" },
  { key: "external", label: "External ↔ External" },
] as const;

function clock(t: number, bucketMs: number): string {
  const iso = new Date(t).toISOString();
  return bucketMs >= 86_400_000 ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

export function TrafficChart(p: TrafficChartProps) {
  const totals = p.points.map((pt) => pt.internal + pt.outbound + pt.inbound + pt.external);
  const max = Math.max(1, ...totals);
  const step = W / Math.max(1, p.points.length);
  const barW = Math.max(1, step * 0.8);
  const sum = totals.reduce((a, b) => a + b, 0);
  const minutes = Math.round(p.bucketMs / 60_000);
  return (
    <figure class="nf-chart">
      <div class="flex justify-between text-sm muted">
        <span>{`peak ${formatBytes(max)} per ${minutes} min`}</span>
        <span>{`${formatBytes(sum)} in total`}</span>
      </div>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        class="nf-chart-svg"
        role="img"
        aria-label={`Bytes per ${minutes} min, ${formatBytes(sum)} in total, peak ${
          formatBytes(max)
        }`}
        data-testid="traffic-chart"
      >
        <line x1="0" y1={H} x2={W} y2={H} class="nf-axis" />
        {p.points.map((pt, i) => {
          let base = H;
          const x = r1(i * step + (step - barW) / 2);
          return (
            <g>
              <title>
                {`${clock(pt.t, p.bucketMs)} UTC: ${
                  SERIES.map((s) => `${s.label} ${formatBytes(pt[s.key])}`).join(", ")
                }`}
              </title>
              {SERIES.map((s) => {
                const h = (pt[s.key] / max) * (H - 2);
                if (h <= 0) return null;
                base -= h;
                return (
                  <rect
                    x={x}
                    y={r1(base)}
                    width={r1(barW)}
                    height={Math.max(0.5, r1(h))}
                    class={`nf-bar nf-bar-${s.key}`}
                  />
                );
              })}
            </g>
          );
        })}
      </svg>
      {p.points.length > 0 && (
        <div class="flex justify-between text-sm muted">
          <span>{clock(p.points[0].t, p.bucketMs)}</span>
          <span>{`${clock(p.points.at(-1)!.t, p.bucketMs)} UTC`}</span>
        </div>
      )}
      <figcaption class="flex flex-wrap gap-3 text-sm mt-1">
        {SERIES.map((s) => (
          <span class="inline-flex items-center gap-1">
            <span class={`nf-swatch nf-bar-${s.key}`} aria-hidden="true" />
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
