// Parses a port list such as "22,80,8000-8100" into a canonical nmap -p value and its size.
import { AppError } from "@/services/errors.ts";

export interface PortList {
  /** Canonical, sorted, merged ranges: "22,80,8000-8100". */
  spec: string;
  /** How many distinct ports it names. */
  count: number;
}

const MAX_ITEMS = 1000;

/** Throws 422 `invalid_ports` naming the bad item; ports are 1..65535. */
export function parsePortList(input: string): PortList {
  const text = input.trim();
  const bad = (why: string) =>
    new AppError(
      422,
      "invalid_ports",
      `invalid ports "${text.slice(0, 80)}": ${why}; expected a list like "22,80,8000-8100"`,
      { field: "ports" },
    );
  if (text === "") throw bad("empty");
  const items = text.split(",").map((s) => s.trim());
  if (items.length > MAX_ITEMS) throw bad(`more than ${MAX_ITEMS} items`);
  const ranges: Array<[number, number]> = [];
  for (const item of items) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    if (!m) throw bad(`"${item.slice(0, 20)}" is not a port or a range`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 65535 || lo > 65535) throw bad(`"${item}" is outside 1-65535`);
    if (hi < lo) throw bad(`range "${item}" runs backwards`);
    ranges.push([lo, hi]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return {
    spec: merged.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(","),
    count: merged.reduce((n, [a, b]) => n + b - a + 1, 0),
  };
}
