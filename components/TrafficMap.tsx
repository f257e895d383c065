// The subnet-to-subnet traffic map as server-rendered SVG: IPAM subnets (and "External") on a
// circle, directed links as curves whose width grows with bytes; a table repeats it in text.
// Labels come from user data (subnet names) and are always rendered as escaped text.
import type { MatrixEdge, MatrixNode } from "@/services/netflow/mod.ts";
import { formatBytes } from "../shared/format_bytes.ts";

export interface TrafficMapProps {
  nodes: MatrixNode[];
  edges: MatrixEdge[];
}

const W = 560;
const H = 500;
const CX = W / 2;
const CY = H / 2;
const RING = 165;
const MAX_LABEL = 24;
/** A generous width per character, so centred labels are kept inside the picture. */
const CHAR_W = 5.5;

interface Placed {
  node: MatrixNode;
  x: number;
  y: number;
  r: number;
}

function shorten(text: string): string {
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

/** External first (at the top), then subnets by traffic, "Other subnets" last. */
function place(nodes: MatrixNode[]): Placed[] {
  const rank = (n: MatrixNode) => (n.kind === "external" ? 0 : n.kind === "subnet" ? 1 : 2);
  const ordered = [...nodes].sort((a, b) =>
    rank(a) - rank(b) || (b.bytes_in + b.bytes_out) - (a.bytes_in + a.bytes_out) ||
    a.label.localeCompare(b.label)
  );
  const max = Math.max(1, ...ordered.map((n) => n.bytes_in + n.bytes_out));
  return ordered.map((node, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / ordered.length;
    const ring = ordered.length === 1 ? 0 : RING;
    return {
      node,
      x: CX + ring * Math.cos(angle),
      y: CY + ring * Math.sin(angle),
      r: 10 + 20 * Math.sqrt((node.bytes_in + node.bytes_out) / max),
    };
  });
}

const round = (v: number) => Math.round(v * 10) / 10;

function edgePath(a: Placed, b: Placed): string {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  // Bend to the right of the direction of travel, so A→B and B→A do not overlap.
  const bend = 0.22 * len;
  const cx = (a.x + b.x) / 2 - (dy / len) * bend;
  const cy = (a.y + b.y) / 2 + (dx / len) * bend;
  const from = (p: Placed, gap: number) => {
    const ux = cx - p.x;
    const uy = cy - p.y;
    const ul = Math.hypot(ux, uy) || 1;
    return [p.x + (ux / ul) * gap, p.y + (uy / ul) * gap];
  };
  const [sx, sy] = from(a, a.r + 2);
  const [ex, ey] = from(b, b.r + 6);
  return `M${round(sx)},${round(sy)} Q${round(cx)},${round(cy)} ${round(ex)},${round(ey)}`;
}

function loopPath(p: Placed): string {
  // Traffic that stays inside a node: a small loop on its right (labels sit above or below).
  const rr = 10;
  const cx = p.x + p.r + rr - 2;
  return `M${round(cx - rr)},${round(p.y)} a${rr},${rr} 0 1,0 ${2 * rr},0 a${rr},${rr} 0 1,0 -${
    2 * rr
  },0`;
}

/** Labels centred above nodes in the upper half and below the others, kept inside the box. */
function labelPosition(p: Placed, text: string): { x: number; y: number; y2: number } {
  const half = (text.length * CHAR_W) / 2 + 4;
  const x = round(Math.min(W - half, Math.max(half, p.x)));
  if (p.y < CY - 1) return { x, y: round(p.y - p.r - 22), y2: round(p.y - p.r - 7) };
  return { x, y: round(p.y + p.r + 17), y2: round(p.y + p.r + 32) };
}

const nodeClass = (n: MatrixNode) =>
  n.kind === "external"
    ? "nf-node nf-node-external"
    : n.kind === "other"
    ? "nf-node nf-node-other"
    : "nf-node nf-node-subnet";

export function TrafficMap(p: TrafficMapProps) {
  if (p.edges.length === 0) {
    return (
      <p class="muted" data-testid="traffic-map-empty">
        No flows in this window. Point an exporter at the collector (see the NetFlow docs).
      </p>
    );
  }
  const placed = place(p.nodes);
  const byId = new Map(placed.map((n) => [n.node.id, n]));
  const maxEdge = Math.max(1, ...p.edges.map((e) => e.bytes));
  const width = (bytes: number) => round(1.5 + 11 * Math.sqrt(bytes / maxEdge));
  const label = (id: string) => byId.get(id)?.node.label ?? id;
  const busiest = p.edges[0];
  const summary = `${p.nodes.length} nodes, ${p.edges.length} links; busiest ${
    label(busiest.src)
  } → ${label(busiest.dst)}, ${formatBytes(busiest.bytes)}.`;
  // Draw thin links last so they stay visible over thick ones.
  const edges = [...p.edges].sort((a, b) => b.bytes - a.bytes);

  return (
    <figure class="nf-map">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-labelledby="nf-map-title nf-map-desc"
        data-testid="traffic-map"
        class="nf-map-svg"
      >
        <title id="nf-map-title">Traffic between subnets</title>
        <desc id="nf-map-desc">{summary}</desc>
        <defs>
          {["internal", "external"].map((kind) => (
            <marker
              id={`nf-arrow-${kind}`}
              viewBox="0 0 10 10"
              refX="8"
              refY="5"
              markerWidth="9"
              markerHeight="9"
              markerUnits="userSpaceOnUse"
              orient="auto"
            >
              <path d="M0,0 L10,5 L0,10 z" class={`nf-arrow nf-arrow-${kind}`} />
            </marker>
          ))}
        </defs>
        <g class="nf-edges">
          {edges.map((e) => {
            const a = byId.get(e.src);
            const b = byId.get(e.dst);
            if (!a || !b) return null;
            const kind = e.src === "external" || e.dst === "external" ? "external" : "internal";
            const text = e.src === e.dst
              ? `within ${label(e.src)}: ${formatBytes(e.bytes)}, ${e.flows} flows`
              : `${label(e.src)} → ${label(e.dst)}: ${formatBytes(e.bytes)}, ${e.flows} flows`;
            return (
              <path
                d={e.src === e.dst ? loopPath(a) : edgePath(a, b)}
                class={`nf-edge nf-edge-${kind}`}
                stroke-width={width(e.bytes)}
                fill="none"
                marker-end={e.src === e.dst ? undefined : `url(#nf-arrow-${kind})`}
                data-edge={`${e.src}>${e.dst}`}
                data-bytes={e.bytes}
              >
                <title>{text}</title>
              </path>
            );
          })}
        </g>
        <g class="nf-nodes">
          {placed.map((n) => {
            // The name alone when there is one (the CIDR is in the tooltip and the table).
            const text = shorten(n.node.name ?? n.node.label);
            const l = labelPosition(n, text);
            return (
              <g data-node={n.node.id}>
                <circle cx={round(n.x)} cy={round(n.y)} r={round(n.r)} class={nodeClass(n.node)}>
                  <title>
                    {`${n.node.label}: ${formatBytes(n.node.bytes_out)} out, ${
                      formatBytes(n.node.bytes_in)
                    } in`}
                  </title>
                </circle>
                <text x={l.x} y={l.y} text-anchor="middle" class="nf-label">
                  {text}
                </text>
                <text x={l.x} y={l.y2} text-anchor="middle" class="nf-sublabel">
                  {formatBytes(n.node.bytes_out + n.node.bytes_in)}
                </text>
              </g>
            );
          })}
        </g>
      </svg>
      <details class="mt-2">
        <summary class="text-sm">The map as a table</summary>
        <div class="overflow-x-auto">
          <table class="table" data-testid="traffic-map-table">
            <thead>
              <tr>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col" class="text-right">Bytes</th>
                <th scope="col" class="text-right hide-sm">Flows</th>
              </tr>
            </thead>
            <tbody>
              {edges.map((e) => (
                <tr>
                  <td>{label(e.src)}</td>
                  <td>{e.src === e.dst ? "(within)" : label(e.dst)}</td>
                  <td class="text-right tabular-nums">{formatBytes(e.bytes)}</td>
                  <td class="text-right tabular-nums hide-sm">{e.flows}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
