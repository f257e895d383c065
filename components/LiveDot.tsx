// The "live updates on / connecting" dot of islands fed by Server-Sent Events.
export function LiveDot(p: { connected: boolean }) {
  const label = p.connected ? "Live updates on" : "Live updates connecting";
  return (
    <span
      class={p.connected ? "live-dot live-on" : "live-dot"}
      data-testid="live-connection"
      data-connected={p.connected ? "true" : "false"}
      title={p.connected ? "Live updates on" : "Live updates connecting…"}
    >
      <span class="sr-only">{label}</span>
    </span>
  );
}
