// Island: a host's last 24 hours as an inline SVG (latency line over an availability strip), with
// the bucket under the pointer or keyboard focus described below it.
import { useState } from "preact/hooks";
import { bucketAt, sparkGeometry, type SparkInput } from "../shared/sparkline_geometry.ts";
import { formatPercent } from "../shared/host_detail_format.ts";
import { formatLatency } from "../shared/state_view.ts";

export interface SparklineProps extends Record<string, unknown> {
  points: SparkInput[];
  /** Accessible name of the chart, e.g. "Latency and availability, last 24 hours". */
  label: string;
  width?: number;
  height?: number;
  /** Checks behind the chart (the 24-hour uptime's samples); few are said out loud. */
  samples?: number;
}

/** Below this many checks a chart mostly shows gaps: the caption says how many it has. */
export const FEW_SAMPLES = 20;

/** "only 3 checks so far" when there are few, "" otherwise. */
export function fewSamplesText(samples: number | undefined): string {
  if (samples === undefined || samples >= FEW_SAMPLES) return "";
  if (samples === 0) return "no checks yet";
  return `only ${samples} ${samples === 1 ? "check" : "checks"} so far`;
}

const hhmm = (iso: string) => `${iso.slice(11, 16)} UTC`;

function describe(p: SparkInput): string {
  if (p.up === null) return `${hhmm(p.t)}: no sweep`;
  const latency = formatLatency(p.latency_ms);
  return `${hhmm(p.t)}: ${formatPercent(p.up)} up${latency ? `, ${latency}` : ""}`;
}

export default function Sparkline(p: SparklineProps) {
  const width = p.width ?? 240;
  const height = p.height ?? 40;
  const g = sparkGeometry(p.points, width, height);
  const [active, setActive] = useState<number | null>(null);
  const few = fewSamplesText(p.samples);
  const summary =
    (g.sampledBuckets === 0
      ? "no sweeps in the last 24 hours"
      : `${g.downBuckets} of ${g.sampledBuckets} sampled intervals with downtime` +
        (g.maxLatency !== null ? `, latency up to ${formatLatency(g.maxLatency)}` : "")) +
    (few && g.sampledBuckets > 0 ? ` (${few})` : "");

  const point = (e: PointerEvent) => {
    const svg = e.currentTarget as SVGSVGElement;
    const box = svg.getBoundingClientRect();
    if (box.width <= 0) return;
    setActive(bucketAt(((e.clientX - box.left) / box.width) * width, width, p.points.length));
  };
  const key = (e: KeyboardEvent) => {
    if (p.points.length === 0) return;
    const last = p.points.length - 1;
    const cur = active ?? last;
    const next = e.key === "ArrowLeft"
      ? Math.max(0, cur - 1)
      : e.key === "ArrowRight"
      ? Math.min(last, cur + 1)
      : e.key === "Home"
      ? 0
      : e.key === "End"
      ? last
      : null;
    if (next === null) return;
    e.preventDefault();
    setActive(next);
  };

  const shown = active !== null ? p.points[active] : null;
  const step = width / Math.max(1, p.points.length);
  return (
    <figure
      class="sparkline"
      data-testid="sparkline"
      data-down-buckets={g.downBuckets}
      data-samples={p.samples}
    >
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${p.label}: ${summary}`}
        tabIndex={0}
        onPointerMove={point}
        onPointerLeave={() => setActive(null)}
        onKeyDown={key}
        onBlur={() => setActive(null)}
      >
        {g.bars.map((b) => (
          <rect
            key={b.index}
            class={`spark-${b.kind}`}
            x={b.x}
            y={b.y}
            width={b.width}
            height={b.height}
          />
        ))}
        {g.latencyPath && <path class="spark-line" d={g.latencyPath} />}
        {active !== null && (
          <rect
            class="spark-cursor"
            x={active * step}
            y={0}
            width={Math.max(1, step)}
            height={height}
          />
        )}
      </svg>
      <figcaption class="spark-caption" aria-live="polite">
        {shown ? describe(shown) : summary}
      </figcaption>
    </figure>
  );
}
