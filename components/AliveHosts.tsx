// The dashboard's "Alive now" section: a sticky GET filter bar (subnet, tag, service, text) and the
// list of hosts that answer, whose rows open the host drawer.
import type { AliveFilterOptions, AliveFilterValues, AliveHost } from "@/services/dashboard/mod.ts";
import { StatusPill } from "./StatusPill.tsx";
import { portLabel, portProduct } from "../shared/host_detail_format.ts";
import type { ComponentType } from "preact";
import type { PingButtonProps } from "../islands/PingButton.tsx";

/** Port chips shown per row before "+N more". */
const CHIPS_PER_ROW = 6;

export function AliveFilterBar(
  p: { formId: string; values: AliveFilterValues; options: AliveFilterOptions; active: boolean },
) {
  const v = p.values;
  const select = (
    name: "subnet" | "tag" | "service",
    label: string,
    any: string,
    options: Array<{ value: string; label: string }>,
  ) => (
    <label class="filter-field" for={`alive-${name}`}>
      <span class="filter-label">{label}</span>
      <select id={`alive-${name}`} name={name} class="input">
        <option value="">{any}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value} selected={o.value === v[name]}>{o.label}</option>
        ))}
        {/* A value from the URL that is no longer offered stays visible, so it can be cleared. */}
        {v[name] && !options.some((o) => o.value === v[name]) && (
          <option value={v[name]} selected>{v[name]} (none now)</option>
        )}
      </select>
    </label>
  );
  return (
    <form
      id={p.formId}
      method="get"
      action="/#alive"
      class="filter-bar"
      role="search"
      aria-label="Filter alive hosts"
    >
      {select(
        "subnet",
        "Subnet",
        "All subnets",
        p.options.subnets.map((s) => ({
          value: String(s.id),
          label: s.name ? `${s.cidr} · ${s.name}` : s.cidr,
        })),
      )}
      {select("tag", "Tag", "Any tag", p.options.tags.map((t) => ({ value: t, label: t })))}
      {select(
        "service",
        "Service",
        "Any service",
        p.options.services.map((s) => ({ value: s, label: s })),
      )}
      <label class="filter-field filter-grow" for="alive-q">
        <span class="filter-label">Name or address</span>
        <input
          id="alive-q"
          name="q"
          type="search"
          class="input"
          value={v.q}
          placeholder="web, 10.0.1."
          autocomplete="off"
        />
      </label>
      <div class="filter-actions">
        <button type="submit" class="btn">Filter</button>
        {p.active && <a class="btn btn-quiet" href="/#alive" data-testid="clear-filters">Clear</a>}
      </div>
    </form>
  );
}

function PortChips(p: { h: AliveHost }) {
  if (p.h.ports.length === 0) return <span class="muted">—</span>;
  const shown = p.h.ports.slice(0, CHIPS_PER_ROW);
  const more = p.h.ports.length - shown.length;
  return (
    <span class="alive-ports">
      {shown.map((x) => {
        const product = portProduct(x);
        return (
          <span key={`${x.proto}/${x.port}`} class="chip" title={product || undefined}>
            {portLabel(x)}
          </span>
        );
      })}
      {more > 0 && <span class="muted text-sm">+{more}</span>}
    </span>
  );
}

export function AliveTable(
  p: { hosts: AliveHost[]; id?: string; Ping?: ComponentType<PingButtonProps> },
) {
  const Ping = p.Ping;
  return (
    <table class="table alive-table" data-testid="alive-table" id={p.id}>
      <caption class="sr-only">
        Hosts that answer now; press Enter on a row or click it for details
      </caption>
      <thead>
        <tr>
          <th scope="col">Address</th>
          <th scope="col">Status</th>
          <th scope="col">Name</th>
          <th scope="col">Services</th>
          <th scope="col">Subnet</th>
          <th scope="col">Tags</th>
          {Ping && (
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {p.hosts.map((h) => {
          const name = h.hostname_override ?? h.hostname;
          return (
            <tr
              key={h.id}
              data-host-id={h.id}
              data-ip={h.ip}
              data-status="up"
              tabIndex={-1}
            >
              <td>
                <a href={`/hosts/${h.id}`} class="link mono">{h.ip}</a>
                {/* Phones hide the Name column and show the name here instead. */}
                {name && <div class="alive-name-sm" data-field="name">{name}</div>}
              </td>
              <td>
                <StatusPill state="up" latencyMs={h.latency_ms} since={h.since} />
              </td>
              <td>
                <span data-field="name" data-empty="—" class={name ? undefined : "muted"}>
                  {name ?? "—"}
                </span>
                {h.description && <div class="text-sm muted">{h.description}</div>}
              </td>
              <td>
                <PortChips h={h} />
              </td>
              <td>
                {h.subnet_id
                  ? <a class="link" href={`/subnets/${h.subnet_id}`}>{h.subnet_cidr}</a>
                  : <span class="muted">none</span>}
              </td>
              <td>{h.tags.map((t) => <span key={t} class="chip">{t}</span>)}</td>
              {Ping && (
                <td>
                  <Ping hostId={h.id} ip={h.ip} compact />
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export { aliveCountText } from "../shared/alive_count_text.ts";
