// A host's NetFlow traffic on its page and drawer: totals with the internal/external split, the
// bytes-over-time chart of /netflow, and its top peers and ports. Text from IPAM is escaped.
import type { HostTraffic as HostTrafficData } from "@/services/netflow/mod.ts";
import { formatBytes } from "../shared/format_bytes.ts";
import { TrafficChart } from "./TrafficChart.tsx";

export function HostTraffic(p: { traffic: HostTrafficData }) {
  const t = p.traffic;
  if (t.totals.flows === 0) {
    return (
      <p class="muted" data-testid="host-traffic-empty">
        No NetFlow traffic from or to this host in the last hour.
      </p>
    );
  }
  const all = t.split.internal + t.split.external;
  const pct = (n: number) => `${Math.round((n / Math.max(1, all)) * 100)}%`;
  return (
    <div class="host-traffic" data-testid="host-traffic">
      <p class="text-sm">
        <span>{`${formatBytes(t.totals.bytes_sent)} sent · `}</span>
        <span>{`${formatBytes(t.totals.bytes_received)} received · `}</span>
        <span data-testid="host-traffic-split">
          {`internal ${pct(t.split.internal)} · external ${pct(t.split.external)}`}
        </span>
      </p>
      <TrafficChart points={t.series} bucketMs={t.bucket_ms} />
      <div class="overflow-x-auto">
        <table class="table" data-testid="host-peers">
          <caption class="text-left muted text-sm">Top peers</caption>
          <thead>
            <tr>
              <th scope="col">Peer</th>
              <th scope="col" class="num">Sent</th>
              <th scope="col" class="num">Received</th>
            </tr>
          </thead>
          <tbody>
            {t.peers.map((r) => (
              <tr key={r.addr} data-peer={r.addr}>
                <td>
                  <span class="mono">{r.addr}</span>
                  {r.hostname && <span class="muted">{` ${r.hostname}`}</span>}
                  {!r.internal && <span class="chip">external</span>}
                </td>
                <td class="num">{formatBytes(r.bytes_sent)}</td>
                <td class="num">{formatBytes(r.bytes_received)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="overflow-x-auto">
        <table class="table" data-testid="host-ports">
          <caption class="text-left muted text-sm">Top ports</caption>
          <thead>
            <tr>
              <th scope="col">Port</th>
              <th scope="col" class="num">Bytes</th>
              <th scope="col" class="num">Flows</th>
            </tr>
          </thead>
          <tbody>
            {t.ports.map((r) => (
              <tr key={`${r.protocol}/${r.port}`}>
                <td class="mono">{r.port ? `${r.port}/${r.protocol_name}` : r.protocol_name}</td>
                <td class="num">{formatBytes(r.bytes)}</td>
                <td class="num">{r.flows}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
