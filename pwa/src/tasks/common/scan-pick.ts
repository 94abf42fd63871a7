// Picking what a flow wants out of a scan. An ambiguous code (a barcode that is also a bin label,
// two SKUs sharing an EAN) is settled by what the step expects: the bin or SKU of the line at hand
// wins over asking the person to choose.

import type { Resolved } from "../../scan/resolved";

export type ResolvedOf<K extends Resolved["kind"]> = Extract<Resolved, { kind: K }>;

/** The scan itself, or the candidates of an ambiguous one. */
export function candidatesOf(resolved: Resolved): readonly Resolved[] {
  return resolved.kind === "ambiguous" ? resolved.candidates : [resolved];
}

/** The first candidate of `kind` that `wanted` accepts, else the first of that kind, else null. */
export function pickKind<K extends Resolved["kind"]>(
  resolved: Resolved,
  kind: K,
  wanted: (candidate: ResolvedOf<K>) => boolean = () => true,
): ResolvedOf<K> | null {
  const ofKind = candidatesOf(resolved).filter((c): c is ResolvedOf<K> => c.kind === kind);
  return ofKind.find(wanted) ?? ofKind[0] ?? null;
}
