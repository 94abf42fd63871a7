// Applies one pull page (SPEC.md §6.2) in ONE IndexedDB transaction together with its cursor: a
// page is never half-applied, and a page applied twice gives the same state. Snapshot pages are
// staged apart from the live rows; the page marked `snapshot_complete` replaces the live rows with
// the staged ones, so the screens never show a partial snapshot. The outbox is never touched.

import { locate, rowOf, type RowChange } from "./entities";
import { getMeta, putMeta } from "./meta";
import { SYNCED_STORES, type CangkuDb } from "./schema";

export interface PullPage {
  readonly cursor: string;
  readonly changes: readonly RowChange[];
  readonly reset: boolean;
  readonly snapshot: boolean;
  readonly snapshotComplete: boolean;
  readonly serverAppliedSeq: number;
  readonly protocol: number;
}

export interface PageApplied {
  /** The page went to the staging area (a snapshot in progress). */
  readonly staged: boolean;
  /** The staged snapshot replaced the live rows. */
  readonly promoted: boolean;
  /** Changes of entities this app does not know, or with keys it cannot read. */
  readonly ignored: number;
}

export async function applyPullPage(db: CangkuDb, page: PullPage): Promise<PageApplied> {
  const tx = db.transaction([...SYNCED_STORES, "staged", "meta"] as const, "readwrite");
  const staged = tx.objectStore("staged");
  const meta = tx.objectStore("meta");
  const feed = await getMeta(meta, "feed");
  const staging = page.reset || page.snapshot;
  if (page.reset || (feed.staging && !staging)) await staged.clear(); // a new (or an abandoned) snapshot
  let ignored = 0;
  for (const change of page.changes) {
    const where = locate(change.entity, change.key);
    if (where === null) {
      ignored++;
    } else if (staging) {
      if (change.op === "put") await staged.put({ entity: change.entity, key: change.key, data: change.data ?? {} });
      else await staged.delete([change.entity, change.key]);
    } else {
      const live = tx.objectStore(where.store);
      if (change.op === "put") await live.put(rowOf(where.store, where.key, change.data ?? {}));
      else await live.delete(where.key);
    }
  }
  const promoted = staging && page.snapshotComplete;
  if (promoted) {
    for (const name of SYNCED_STORES) await tx.objectStore(name).clear();
    let cursor = await staged.openCursor();
    while (cursor !== null) {
      const { entity, key, data } = cursor.value;
      const where = locate(entity, key);
      if (where !== null) await tx.objectStore(where.store).put(rowOf(where.store, where.key, data));
      cursor = await cursor.continue();
    }
    await staged.clear();
  }
  await putMeta(meta, "feed", {
    ...feed,
    cursor: page.cursor,
    staging: staging && !promoted,
    serverAppliedSeq: page.serverAppliedSeq,
    protocol: page.protocol,
  });
  await tx.done;
  return { staged: staging, promoted, ignored };
}

/** Forgets the cursor so the next pull starts a snapshot; the live rows stay until it completes. */
export async function discardCursor(db: CangkuDb): Promise<void> {
  const tx = db.transaction(["staged", "meta"], "readwrite");
  await tx.objectStore("staged").clear();
  const meta = tx.objectStore("meta");
  await putMeta(meta, "feed", { ...(await getMeta(meta, "feed")), cursor: null, staging: false });
  await tx.done;
}
