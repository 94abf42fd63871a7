// Hybrid logical clock stamps (SPEC.md §4.3), the twin of sync/hlc.py: text
// `<ms, 13 digits>-<counter, 4 hex>-<node>` whose string order is time order. A device keeps
// l = max(physical, last l, received l), so its stamps only go forward even when the phone's clock
// jumps back; the counter orders events within one millisecond.

export interface HlcStamp {
  readonly millis: number;
  readonly counter: number;
  readonly node: string;
}

export const MAX_COUNTER = 0xffff;
const STAMP = /^(\d{13})-([0-9a-f]{4})-([A-Za-z0-9_.:-]{1,64})$/;

export function parseStamp(text: string): HlcStamp | null {
  const match = STAMP.exec(text);
  if (match === null) return null;
  return { millis: Number(match[1]), counter: parseInt(match[2] ?? "", 16), node: match[3] ?? "" };
}

export function formatStamp(stamp: HlcStamp): string {
  return `${String(stamp.millis).padStart(13, "0")}-${stamp.counter.toString(16).padStart(4, "0")}-${stamp.node}`;
}

/** §4.3 rule 1: the node is the first 8 characters of the device id (others become `_`). */
export function nodeOf(deviceId: string): string {
  const node = deviceId.slice(0, 8).replace(/[^A-Za-z0-9_.:-]/g, "_");
  return node === "" ? "device" : node;
}

function bump(millis: number, counter: number, node: string): HlcStamp {
  // 65,536 events in one millisecond: borrow the next one.
  return counter >= MAX_COUNTER ? { millis: millis + 1, counter: 0, node } : { millis, counter: counter + 1, node };
}

/** A stamp for a local event, later than every stamp this clock issued or received. */
export function tick(last: HlcStamp | null, physical: number, node: string): HlcStamp {
  if (last === null || physical > last.millis) return { millis: physical, counter: 0, node };
  return bump(last.millis, last.counter, node);
}

/** Merges a time seen from the server (a response's `server_time`, counter 0): §4.3 rule 2. */
export function receive(last: HlcStamp | null, remote: HlcStamp, physical: number, node: string): HlcStamp {
  const lastMillis = last?.millis ?? 0;
  const lastCounter = last?.counter ?? 0;
  const top = Math.max(physical, lastMillis, remote.millis);
  let counter: number;
  if (top === lastMillis && top === remote.millis) counter = Math.max(lastCounter, remote.counter);
  else if (top === lastMillis) counter = lastCounter;
  else if (top === remote.millis) counter = remote.counter;
  else return { millis: top, counter: 0, node };
  return bump(top, counter, node);
}
