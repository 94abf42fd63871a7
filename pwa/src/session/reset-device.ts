// Starting over as a new device (SPEC §9.4): another person takes over the phone, the device was
// revoked, or its state was lost. A new device id numbers its ops from 1 again, so the old outbox,
// numbering, pull cursor and downloaded rows all go; only the HLC's last stamp stays so the new
// device's stamps never run behind the old one's.

import { getMeta, metaDefaults, putMeta } from "../store/meta";
import { isAcknowledged } from "../store/records";
import { SYNCED_STORES, type CangkuDb } from "../store/schema";

/** Wipes the device's sync state; returns how many unacknowledged ops were dropped with it. */
export async function resetDeviceState(db: CangkuDb): Promise<number> {
  const tx = db.transaction(["meta", "outbox", "staged", ...SYNCED_STORES], "readwrite");
  const meta = tx.objectStore("meta");
  const clock = await getMeta(meta, "clock");
  let dropped = 0;
  let cursor = await tx.objectStore("outbox").openCursor();
  while (cursor !== null) {
    if (!isAcknowledged(cursor.value.status)) dropped++;
    cursor = await cursor.continue();
  }
  const defaults = metaDefaults();
  await Promise.all([
    tx.objectStore("outbox").clear(),
    tx.objectStore("staged").clear(),
    ...SYNCED_STORES.map((name) => tx.objectStore(name).clear()),
    putMeta(meta, "device", defaults.device),
    putMeta(meta, "feed", defaults.feed),
    putMeta(meta, "clock", { ...defaults.clock, lastStamp: clock.lastStamp }),
  ]);
  await tx.done;
  return dropped;
}
