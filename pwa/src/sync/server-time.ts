// SPEC.md §4.3 rule 2: a response's `server_time` is merged into the device's HLC, so a phone whose
// clock is behind still stamps its next events after what the server has seen.

import { updateMeta } from "../store/meta";
import type { CangkuDb } from "../store/schema";
import type { DeviceClock } from "./clock";
import { formatStamp, parseStamp, receive } from "./hlc";
import { parseRfc3339 } from "./wall-time";

export async function observeServerTime(
  db: CangkuDb,
  clock: DeviceClock,
  node: string,
  serverTime: string,
): Promise<void> {
  const millis = parseRfc3339(serverTime);
  if (millis === null) return;
  await updateMeta(db, "clock", (current) => {
    const last = current.lastStamp === null ? null : parseStamp(current.lastStamp);
    const merged = receive(last, { millis, counter: 0, node }, clock.now(), node);
    return { ...current, lastStamp: formatStamp(merged) };
  });
}
