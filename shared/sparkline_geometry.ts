// Pure geometry of the latency/availability sparkline: SVG path and bars from time buckets.

export interface SparkInput {
  /** Bucket start, ISO 8601. */
  t: string;
  /** Share of sweeps that found the host up (0…1), null when none ran in the bucket. */
  up: number | null;
  latency_ms: number | null;
}

export type BarKind = "up" | "partial" | "down";

export interface SparkBar {
  index: number;
  x: number;
  width: number;
  /** Top edge and height: a full-height band for any downtime, a thin baseline tick when all up. */
  y: number;
  height: number;
  kind: BarKind;
}

export interface SparkGeometry {
  width: number;
  height: number;
  /** SVG path of the latency line; "" when no bucket has a latency. Gaps break the line. */
  latencyPath: string;
  bars: SparkBar[];
  maxLatency: number | null;
  /** Buckets with at least one failed sweep. */
  downBuckets: number;
  /** Buckets with any sweep at all. */
  sampledBuckets: number;
}

/** Height of the availability strip at the bottom, in SVG units. */
export const STRIP = 4;

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Lays `points` out over `width` × `height`: the latency line uses the area above the strip
 * (scaled to the largest latency), each sampled bucket gets a strip bar coloured by availability,
 * and a bucket with downtime also gets a faint full-height band so a short outage is visible.
 */
export function sparkGeometry(points: readonly SparkInput[], width: number, height: number) {
  const n = Math.max(1, points.length);
  const step = width / n;
  const lineTop = 2;
  const lineBottom = height - STRIP - 2;
  const latencies = points.map((p) => p.latency_ms).filter((v): v is number =>
    v !== null && Number.isFinite(v) && v >= 0
  );
  const maxLatency = latencies.length ? Math.max(...latencies) : null;
  const scale = maxLatency && maxLatency > 0 ? (lineBottom - lineTop) / maxLatency : 0;

  let path = "";
  let penDown = false;
  const bars: SparkBar[] = [];
  let downBuckets = 0;
  let sampledBuckets = 0;
  points.forEach((p, i) => {
    const x = round(i * step + step / 2);
    const lat = p.latency_ms;
    if (lat !== null && Number.isFinite(lat) && lat >= 0 && maxLatency !== null) {
      const y = round(lineBottom - lat * scale);
      path += `${penDown ? "L" : "M"}${x} ${y}`;
      penDown = true;
    } else {
      penDown = false;
    }
    if (p.up === null) return;
    sampledBuckets++;
    const kind: BarKind = p.up >= 1 ? "up" : p.up <= 0 ? "down" : "partial";
    if (kind !== "up") downBuckets++;
    const barX = round(i * step);
    const barW = round(Math.max(0.5, step - (step > 3 ? 0.5 : 0)));
    bars.push(
      kind === "up"
        ? { index: i, x: barX, width: barW, y: height - STRIP, height: STRIP, kind }
        : { index: i, x: barX, width: barW, y: 0, height, kind },
    );
  });
  return {
    width,
    height,
    latencyPath: path,
    bars,
    maxLatency,
    downBuckets,
    sampledBuckets,
  } satisfies SparkGeometry;
}

/** The bucket under a pointer at `x` (SVG units), clamped to the series. */
export function bucketAt(x: number, width: number, count: number): number {
  if (count <= 0) return -1;
  const i = Math.floor((x / width) * count);
  return Math.max(0, Math.min(count - 1, i));
}
