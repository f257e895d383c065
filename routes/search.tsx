// GET /search?q=: the header search box's results — hosts and subnets by address, prefix, name, tag...
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { hostsWithStatus, quickSearch } from "@/services/ipam/mod.ts";
import { hostAnchor } from "@/components/AddressRows.tsx";
import { StatusPill } from "@/components/StatusPill.tsx";
import { island } from "@/web/islands.tsx";
import PingButton from "@/islands/PingButton.tsx";
import { DataTable } from "@/components/DataTable.tsx";

const PingButtonIsland = island("PingButton", PingButton);

const KIND_TEXT: Record<string, string> = {
  ip: "address",
  cidr: "prefix (CIDR)",
  prefix: "address or MAC prefix",
  mac: "MAC address",
  tag: "tag",
  text: "text",
};

export async function GET(c: AppContext) {
  const q = (c.req.query("q") ?? "").replaceAll("\u0000", "").trim().slice(0, 200);
  const { db, kv } = c.get("deps");
  const found = q ? await quickSearch(db, q, { limit: 200 }) : null;
  const canPing = c.get("user")?.role !== "viewer";
  const hosts = found ? await hostsWithStatus(kv, found.hosts) : [];
  return page(
    c,
    q ? `Search: ${q}` : "Search",
    <div class="flex flex-col gap-4">
      <h1 class="text-2xl font-bold">Search</h1>
      <form method="get" action="/search" role="search" class="flex gap-2">
        <label for="search-page-q" class="sr-only">Search</label>
        <input
          id="search-page-q"
          class="input flex-1 max-w-xl"
          name="q"
          type="search"
          value={q}
          placeholder="198.51.100.10, 198.51.100., 10.0.0.0/16, web-01, tag:prod, 00:00:5e:00:53:01"
        />
        <button class="btn" type="submit">Search</button>
      </form>
      {!found && (
        <p class="muted">
          Search by address (exact or prefix), CIDR, hostname, description, notes, tags (<code>
            tag:prod
          </code>) or MAC. Press <kbd>/</kbd> on any page to jump to the search box.
        </p>
      )}
      {found && (
        <p class="muted" data-testid="search-summary">
          Read “{found.query}” as {KIND_TEXT[found.kind]}: {found.subnets.length} subnet(s),{" "}
          {found.hosts.length} host(s){found.truncated ? " (first 200 of each)" : ""}.
        </p>
      )}
      {found && found.subnets.length > 0 && (
        <section class="card" aria-labelledby="sr-subnets">
          <h2 id="sr-subnets" class="text-lg font-bold mb-2">Subnets</h2>
          <DataTable
            label="Subnets found"
            testId="subnet-results"
            columns={["Subnet", "Name", { label: "Location", class: "hide-sm" }, {
              label: "Tags",
              class: "hide-sm",
            }]}
            actions={canPing}
          >
            {found.subnets.map((s) => (
              <tr>
                <td class="mono">
                  <a class="link" href={`/subnets/${s.id}`}>{s.cidr}</a>
                </td>
                <td>{s.name ?? ""}</td>
                <td class="hide-sm">{s.location ?? ""}</td>
                <td class="hide-sm">
                  {s.tags.map((t) => <span key={t} class="chip mr-1">{t}</span>)}
                </td>
              </tr>
            ))}
          </DataTable>
        </section>
      )}
      {found && hosts.length > 0 && (
        <section class="card" aria-labelledby="sr-hosts">
          <h2 id="sr-hosts" class="text-lg font-bold mb-2">Hosts</h2>
          <DataTable
            label="Hosts found"
            testId="host-results"
            columns={["Address", "Status", "Hostname", { label: "Description", class: "hide-sm" }, {
              label: "MAC",
              class: "hide-sm",
            }, { label: "Tags", class: "hide-sm" }]}
            actions={canPing}
          >
            {hosts.map((h) => (
              <tr data-ip={h.ip}>
                <td class="mono">
                  {h.subnet_id
                    ? (
                      <a class="link" href={`/subnets/${h.subnet_id}#${hostAnchor(h.ip)}`}>
                        {h.ip}
                      </a>
                    )
                    : h.ip}
                </td>
                <td>
                  <StatusPill
                    state={h.status}
                    latencyMs={h.latency_ms}
                    since={h.status_since}
                  />
                </td>
                <td>{h.hostname_override ?? h.hostname ?? ""}</td>
                <td class="hide-sm">{h.description ?? ""}</td>
                <td class="hide-sm mono">{h.mac ?? ""}</td>
                <td class="hide-sm">
                  {h.tags.map((t) => <span key={t} class="chip mr-1">{t}</span>)}
                </td>
                {canPing && (
                  <td>
                    <PingButtonIsland hostId={h.id} ip={h.ip} compact />
                  </td>
                )}
              </tr>
            ))}
          </DataTable>
        </section>
      )}
      {found && hosts.length === 0 && found.subnets.length === 0 && (
        <p data-testid="no-results">Nothing found.</p>
      )}
    </div>,
  );
}
