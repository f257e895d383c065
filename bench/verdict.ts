// The word every bench row prints beside its goal: one spelling, so a search of a run's table for
// MISSED finds every row that did not hold.
export const met = (ok: boolean): "met" | "MISSED" => (ok ? "met" : "MISSED");
