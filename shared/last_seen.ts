// "Last seen" cell text ("just now", "5 min ago"): the server renders it, the live island rewrites it.

/** "never", "just now", "5 min ago", "3 h ago", "12 d ago" for an ISO time or epoch ms. */
export function ago(when: string | number | null, now: number): string {
  if (when === null || when === "") return "never";
  const ms = typeof when === "number" ? when : Date.parse(when);
  if (!Number.isFinite(ms)) return "never";
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}
