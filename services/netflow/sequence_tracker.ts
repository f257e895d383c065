// Counts units lost between consecutive export packets of one stream from sequence numbers:
// v5 numbers flows, v9 numbers packets, IPFIX numbers data records.

const HALF_RANGE = 2147483648;

/** Does an IPFIX sequence number count this message's records? Learned from the traffic. */
export const IpfixTiming = {
  Unknown: 0,
  /** RFC 7011: records sent before this message. */
  Before: 1,
  /** Records sent including this message (softflowd 1.1). */
  After: 2,
} as const;
export type IpfixTiming = typeof IpfixTiming[keyof typeof IpfixTiming];

/** Does an IPFIX sequence number count options data records? Learned from the traffic. */
export const IpfixScope = {
  Unknown: 0,
  /** RFC 7011: every data record, options records included. */
  All: 1,
  /** Only records of non-options templates (softflowd 1.1). */
  Flows: 2,
} as const;
export type IpfixScope = typeof IpfixScope[keyof typeof IpfixScope];

export class SequenceState {
  known = false;
  last = 0;
  /** v5 flow count, or IPFIX data records (all / non-options) of the last packet. */
  lastAll = 0;
  lastFlows = 0;
  lastCountsKnown = false;
  timing: IpfixTiming = IpfixTiming.Unknown;
  scope: IpfixScope = IpfixScope.Unknown;
}

/** Units missing between `expected` and `seq`; 0 when in order, repeated, reordered or reset. */
function lostBetween(seq: number, expected: number): number {
  const distance = (seq - expected) >>> 0;
  return distance < HALF_RANGE ? distance : 0;
}

/** v5: `seq` is the number of the packet's first flow; returns flows lost before it. */
export function observeV5(s: SequenceState, seq: number, flows: number): number {
  const lost = s.known ? lostBetween(seq, s.last + s.lastAll) : 0;
  s.known = true;
  s.last = seq;
  s.lastAll = flows;
  return lost;
}

/** v9: `seq` numbers export packets; returns packets lost before this one. */
export function observeV9(s: SequenceState, seq: number): number {
  const lost = s.known ? lostBetween(seq, s.last + 1) : 0;
  s.known = true;
  s.last = seq;
  return lost;
}

const READINGS: ReadonlyArray<readonly [IpfixTiming, IpfixScope]> = [
  [IpfixTiming.Before, IpfixScope.All],
  [IpfixTiming.Before, IpfixScope.Flows],
  [IpfixTiming.After, IpfixScope.All],
  [IpfixTiming.After, IpfixScope.Flows],
];

/**
 * IPFIX: returns data records lost before this message. Exporters disagree on whether the
 * number counts this message's records (timing) and options records (scope). Each is
 * learned once every reading that explains a message agrees on it; until then the
 * smallest loss any remaining reading implies is reported. `countsKnown` is false when
 * some data set could not be counted (unknown template, malformed).
 */
export function observeIpfix(
  s: SequenceState,
  seq: number,
  all: number,
  flows: number,
  countsKnown: boolean,
): number {
  let lost = 0;
  if (s.known) {
    let evaluatedTimings = 0;
    let explainingTimings = 0;
    let explainingScopes = 0;
    let smallest = Infinity;
    for (const [timing, scope] of READINGS) {
      if (s.timing !== IpfixTiming.Unknown && s.timing !== timing) continue;
      if (s.scope !== IpfixScope.Unknown && s.scope !== scope) continue;
      let expected: number;
      if (timing === IpfixTiming.Before) {
        if (!s.lastCountsKnown) continue;
        expected = s.last + (scope === IpfixScope.All ? s.lastAll : s.lastFlows);
      } else {
        if (!countsKnown) continue;
        expected = s.last + (scope === IpfixScope.All ? all : flows);
      }
      evaluatedTimings |= 1 << timing;
      const distance = (seq - expected) >>> 0;
      if (distance === 0) {
        explainingTimings |= 1 << timing;
        explainingScopes |= 1 << scope;
      } else if (distance < HALF_RANGE && distance < smallest) {
        smallest = distance;
      }
    }
    if (explainingTimings !== 0) {
      // A single bit means every explaining reading agrees on it; a timing is only proven
      // when the other one could be checked too.
      const bothChecked =
        evaluatedTimings === ((1 << IpfixTiming.Before) | (1 << IpfixTiming.After));
      if (bothChecked || s.timing !== IpfixTiming.Unknown) {
        if (explainingTimings === 1 << IpfixTiming.Before) s.timing = IpfixTiming.Before;
        if (explainingTimings === 1 << IpfixTiming.After) s.timing = IpfixTiming.After;
      }
      if (explainingScopes === 1 << IpfixScope.All) s.scope = IpfixScope.All;
      if (explainingScopes === 1 << IpfixScope.Flows) s.scope = IpfixScope.Flows;
    } else if (smallest !== Infinity) {
      lost = smallest;
    }
  }
  s.known = true;
  s.last = seq;
  s.lastAll = all;
  s.lastFlows = flows;
  s.lastCountsKnown = countsKnown;
  return lost;
}
