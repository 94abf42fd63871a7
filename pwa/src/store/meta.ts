// The sync bookkeeping (SPEC.md §3.3): device identity, numbering + clock, and the pull position,
// one record each so that a push, a pull and an enqueue each rewrite only their own part. A record
// missing a field (written by an older app) reads with that field's default.

import type { IDBPObjectStore, StoreNames } from "idb";
import type { MetaName, MetaRecord, MetaValues } from "./records";
import type { CangkuDb, CangkuSchema } from "./schema";

export function metaDefaults(): MetaValues {
  return {
    device: { deviceId: null, token: null, warehouseId: null },
    clock: { nextSeq: 1, lastStamp: null },
    feed: {
      cursor: null,
      staging: false,
      ackedSeq: 0,
      serverAppliedSeq: 0,
      lastSyncAt: null,
      protocol: 1,
    },
  };
}

type MetaStore<Mode extends IDBTransactionMode> = IDBPObjectStore<
  CangkuSchema,
  ArrayLike<StoreNames<CangkuSchema>>,
  "meta",
  Mode
>;

/** Reads one meta record inside a transaction that covers `meta`. */
export async function getMeta<N extends MetaName, Mode extends IDBTransactionMode>(
  store: MetaStore<Mode>,
  name: N,
): Promise<MetaValues[N]> {
  const record = await store.get(name);
  // The record under key `name` is the `{name, value}` of that name (putMeta writes nothing else).
  const stored = record?.value as Partial<MetaValues[N]> | undefined;
  return { ...metaDefaults()[name], ...stored };
}

export async function putMeta<N extends MetaName>(
  store: MetaStore<"readwrite">,
  name: N,
  value: MetaValues[N],
): Promise<void> {
  await store.put({ name, value } as MetaRecord);
}

export async function readMeta<N extends MetaName>(db: CangkuDb, name: N): Promise<MetaValues[N]> {
  return getMeta(db.transaction("meta").store, name);
}

/** Read-modify-write of one record in one transaction (no lost update against another writer). */
export async function updateMeta<N extends MetaName>(
  db: CangkuDb,
  name: N,
  change: (value: MetaValues[N]) => MetaValues[N],
): Promise<MetaValues[N]> {
  const tx = db.transaction("meta", "readwrite");
  const next = change(await getMeta(tx.store, name));
  await putMeta(tx.store, name, next);
  await tx.done;
  return next;
}
