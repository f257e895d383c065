// Tables of the /netflow page: top talkers (with IPAM hostnames), conversations, ports, and the
// collector's exporters with their counters. All text from the network or IPAM is escaped.
import type {
  CollectorStatus,
  ExporterView,
  HostTalker,
  PairTalker,
  PortTalker,
} from "@/services/netflow/mod.ts";
import { formatBytes } from "../shared/format_bytes.ts";
import { formatCount } from "../shared/format_count.ts";

function Host(p: { addr: string; hostname: string | null }) {
  return (
    <span>
      <a class="link mono" href={`/search?q=${encodeURIComponent(p.addr)}`}>{p.addr}</a>
      {p.hostname && <div class="text-sm muted break-all">{p.hostname}</div>}
    </span>
  );
}

const empty = (what: string) => <p class="muted">No {what} in this window.</p>;

export function TopTalkersTable(p: { rows: HostTalker[] }) {
  if (p.rows.length === 0) return empty("talkers");
  return (
    <div class="overflow-x-auto">
      <table class="table" data-testid="top-talkers">
        <caption class="sr-only">Hosts by bytes sent and received</caption>
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col" class="hide-sm">Subnet</th>
            <th scope="col" class="text-right">Sent</th>
            <th scope="col" class="text-right">Received</th>
            <th scope="col" class="text-right hide-sm">Flows</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr data-addr={r.addr}>
              <td>
                <Host addr={r.addr} hostname={r.hostname} />
              </td>
              <td class="hide-sm">
                {r.subnet_id
                  ? (
                    <a class="link" href={`/subnets/${r.subnet_id}`}>
                      {r.subnet_name ?? r.subnet}
                    </a>
                  )
                  : <span class="muted">External</span>}
              </td>
              <td class="text-right tabular-nums">{formatBytes(r.bytes_sent ?? 0)}</td>
              <td class="text-right tabular-nums">{formatBytes(r.bytes_received ?? 0)}</td>
              <td class="text-right tabular-nums hide-sm">{formatCount(r.flows)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ConversationsTable(p: { rows: PairTalker[] }) {
  if (p.rows.length === 0) return empty("conversations");
  return (
    <div class="overflow-x-auto">
      <table class="table" data-testid="top-conversations">
        <caption class="sr-only">Source and destination pairs by bytes</caption>
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col" class="text-right">Bytes</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr>
              <td>
                <Host addr={r.src_addr} hostname={r.src_hostname} />
              </td>
              <td>
                <Host addr={r.dst_addr} hostname={r.dst_hostname} />
              </td>
              <td class="text-right tabular-nums">{formatBytes(r.bytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PortsTable(p: { rows: PortTalker[] }) {
  if (p.rows.length === 0) return empty("ports");
  return (
    <div class="overflow-x-auto">
      <table class="table" data-testid="top-ports">
        <caption class="sr-only">Protocols and service ports by bytes</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col" class="text-right">Bytes</th>
            <th scope="col" class="text-right">Flows</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr>
              <td class="mono">{r.port ? `${r.protocol_name}/${r.port}` : r.protocol_name}</td>
              <td class="text-right tabular-nums">{formatBytes(r.bytes)}</td>
              <td class="text-right tabular-nums">{formatCount(r.flows)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const COLUMNS = [
  ["packets", "Packets"],
  ["records_decoded", "Decoded"],
  ["records_inserted", "Stored"],
  ["malformed", "Malformed"],
  ["unknown_template", "Unknown template"],
  ["sequence_gaps", "Seq. gaps"],
  ["queue_drops", "Queue drops"],
  ["records_skipped", "Skipped"],
  ["templates_refused", "Templates refused"],
] as const;

export function ExportersTable(p: { rows: ExporterView[]; collector: CollectorStatus | null }) {
  const c = p.collector;
  return (
    <div class="flex flex-col gap-2">
      <p class="text-sm" data-testid="collector-state">
        {c
          ? (
            <>
              Collector <strong>{c.state}</strong> on udp {c.bind}
              {c.recv_buffer?.effective
                ? `, receive buffer ${formatBytes(c.recv_buffer.effective)}`
                : ""}
              {`, queue ${formatCount(c.queue)}`}
              {", spool "}
              <span data-testid="spool-depth">
                {`${formatCount(c.spool_files)} batches, ${formatBytes(c.spool_bytes)} of ${
                  formatBytes(c.spool_max_bytes)
                }`}
              </span>
              {c.spool_refused_datagrams > 0 && (
                <strong class="run-failed">
                  {` (${formatCount(c.spool_refused_datagrams)} datagrams refused: spool full)`}
                </strong>
              )}
              {", kernel drops "}
              <strong data-testid="kernel-drops" class={c.kernel_drops > 0 ? "run-failed" : ""}>
                {formatCount(c.kernel_drops)}
              </strong>
              {c.worker_restarts > 0 && `, receive worker restarted ${c.worker_restarts}×`}
              {c.datagrams_refused > 0 &&
                `, ${
                  formatCount(c.datagrams_refused)
                } datagrams from exporters outside the allowlist`}
              {c.error && <span class="run-failed">{` — ${c.error}`}</span>}
            </>
          )
          : "No collector runs in this process (NETFLOW_ENABLED=false, or it runs as `deno task collector`); the counters below are the last saved."}
      </p>
      {p.rows.length === 0
        ? <p class="muted">No exporter has sent anything yet.</p>
        : (
          <div class="overflow-x-auto">
            <table class="table" data-testid="exporters">
              <caption class="sr-only">Exporters and collector counters</caption>
              <thead>
                <tr>
                  <th scope="col">Exporter</th>
                  {COLUMNS.map(([key, label]) => (
                    <th
                      scope="col"
                      class={`text-right${
                        key === "packets" || key === "records_inserted" ? "" : " hide-sm"
                      }`}
                    >
                      {label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {p.rows.map((r) => (
                  <tr data-exporter={r.exporter}>
                    <td class="mono">
                      {r.exporter}
                      {!r.live && r.counters && <div class="text-xs muted">saved counters</div>}
                    </td>
                    {COLUMNS.map(([key]) => (
                      <td
                        class={`text-right tabular-nums${
                          key === "packets" || key === "records_inserted" ? "" : " hide-sm"
                        }`}
                      >
                        {r.counters ? formatCount(r.counters[key]) : "—"}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </div>
  );
}
