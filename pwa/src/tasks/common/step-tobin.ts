// Whether a scanned destination bin may take the goods. A different bin than the suggested one is
// allowed (the person sees the shelf; the phone does not know what fits) but asked once: scanning it
// a second time, or tapping confirm, says "yes, this one".

import type { Params, Bilingual } from "../../i18n/i18n";
import type { LocationRow } from "../../store/records";
import { isPhysical } from "./step-lookups";
import { stepText } from "./step-messages";

export type ToBinCheck =
  | { readonly kind: "accept" }
  | { readonly kind: "confirm" }
  | { readonly kind: "refuse"; readonly text: Bilingual; readonly params: Params };

export function checkToBin(
  scanned: LocationRow,
  context: { from: LocationRow | null; suggested: LocationRow | null; pending: LocationRow | null },
): ToBinCheck {
  if (!isPhysical(scanned)) return { kind: "refuse", text: stepText.notABin, params: { code: scanned.code } };
  if (!scanned.active) return { kind: "refuse", text: stepText.inactiveBin, params: { code: scanned.code } };
  if (context.from !== null && context.from.id === scanned.id) {
    return { kind: "refuse", text: stepText.sameBin, params: { code: scanned.code } };
  }
  if (context.suggested === null || context.suggested.id === scanned.id) return { kind: "accept" };
  if (context.pending !== null && context.pending.id === scanned.id) return { kind: "accept" };
  return { kind: "confirm" };
}
