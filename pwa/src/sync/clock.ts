// The device's clocks, injectable so tests control time: the physical clock (ms) with the local
// UTC offset for `wall_time`, and the stamp issuer that turns it into HLC stamps (§4.3).

import type { StampIssuer } from "../store/outbox";
import { formatStamp, parseStamp, tick } from "./hlc";

export interface DeviceClock {
  /** Physical time, ms since 1970. */
  now(): number;
  /** Minutes east of UTC of the device's local time at `ms`. */
  utcOffsetMinutes(ms: number): number;
}

export const systemClock: DeviceClock = {
  now: () => Date.now(),
  utcOffsetMinutes: (ms) => -new Date(ms).getTimezoneOffset(),
};

/** Makes the issuer of stamps for one op: the next HLC stamp at `physical` for `node`. */
export type StampPolicy = (node: string, physical: number) => StampIssuer;

/** SPEC.md §4.3 rules 1–3: continue from the persisted last stamp (unreadable: start afresh). */
export const hlcStamps: StampPolicy = (node, physical) => (lastStamp) => {
  const last = lastStamp === null ? null : parseStamp(lastStamp);
  const stamp = formatStamp(tick(last, physical, node));
  return { hlc: stamp, lastStamp: stamp };
};
