// One device of a vector on the client side: its own database and SyncClient, a clock the runner
// sets to each op's event time, and the outbox surgery for the faults the vectors describe.

import { deleteDB } from "idb";
import type { JsonObject } from "../../store/json";
import { getMeta, putMeta, updateMeta } from "../../store/meta";
import { openCangkuDb } from "../../store/open-db";
import type { FeedMeta, OutboxOp } from "../../store/records";
import { SYNCED_STORES, type CangkuDb } from "../../store/schema";
import { freshName } from "../../store/test-support";
import { SyncClient } from "../client";
import { hlcStamps, type StampPolicy } from "../clock";
import type { WireOp } from "../wire";
import type { FakeDevice, FakeServer } from "./fake-server";

export interface VectorDevice {
  readonly ref: string;
  readonly fake: FakeDevice;
  readonly believedWarehouse: number;
  readonly clock: { now: number };
  readonly sleeps: number[];
  dbName: string;
  db: CangkuDb;
  client: SyncClient;
  protocol: number;
  clientVersion: string;
  /** A stamp the device's broken clock gives the next op (README §4.2 `hlc`); the HLC is left as it was. */
  readonly brokenClock: { next: string | null };
  /** The vector's idea of the device's cursor and acknowledged seq (README §4.3). */
  cursor: string | null;
  acked: number;
}

type ClientParts = Pick<
  VectorDevice,
  "fake" | "clock" | "sleeps" | "db" | "protocol" | "clientVersion" | "brokenClock"
>;

export function makeClient(device: ClientParts, server: FakeServer): SyncClient {
  const stamps: StampPolicy = (node, physical) => {
    const raw = device.brokenClock.next;
    device.brokenClock.next = null;
    return raw === null ? hlcStamps(node, physical) : (lastStamp) => ({ hlc: raw, lastStamp });
  };
  return new SyncClient({
    db: device.db,
    transport: server.transport(device.fake),
    clientVersion: device.clientVersion,
    protocol: device.protocol,
    clock: { now: () => device.clock.now, utcOffsetMinutes: () => 0 },
    stamps,
    random: () => 0.5, // no jitter: the first retry waits exactly 1 s
    sleep: async (ms) => {
      device.sleeps.push(ms);
    },
    maxAttempts: 3,
    newOpId: () => {
      throw new Error("every op of a vector names its op_id");
    },
  });
}

export async function openDevice(
  fake: FakeDevice,
  believedWarehouse: number,
  clock: { now: number },
  server: FakeServer,
): Promise<VectorDevice> {
  const dbName = freshName(`vector-${fake.ref}`);
  const db = await openCangkuDb({ name: dbName });
  const parts: ClientParts = {
    fake,
    clock,
    sleeps: [],
    db,
    protocol: 1,
    clientVersion: "vectors",
    brokenClock: { next: null },
  };
  const device: VectorDevice = {
    ...parts,
    ref: fake.ref,
    believedWarehouse,
    dbName,
    client: makeClient(parts, server),
    cursor: null,
    acked: 0,
  };
  await device.client.setDevice({ deviceId: fake.id, token: fake.token, warehouseId: believedWarehouse });
  return device;
}

/** A new app build (another protocol or version string) over the same database. */
export async function replaceClient(
  device: VectorDevice,
  server: FakeServer,
  protocol: number,
  clientVersion: string,
): Promise<void> {
  device.protocol = protocol;
  device.clientVersion = clientVersion;
  device.client = makeClient(device, server);
  await device.client.refresh();
}

/** Storage wiped (F14): a new, empty database; the app logs in again under the old device id. */
export async function wipe(device: VectorDevice, server: FakeServer): Promise<void> {
  device.db.close();
  await deleteDB(device.dbName);
  device.db = await openCangkuDb({ name: device.dbName });
  device.client = makeClient(device, server);
  await device.client.setDevice({
    deviceId: device.fake.id,
    token: device.fake.token,
    warehouseId: device.believedWarehouse,
  });
}

function rowOf(op: WireOp, now: number): OutboxOp {
  return {
    seq: op.seq,
    opId: op.op_id,
    name: op.name,
    version: op.version,
    payload: op.payload,
    hlc: op.hlc,
    wallTime: op.wall_time,
    status: "pending",
    recordedAt: now,
    sentAt: null,
    ackedAt: null,
    answer: null,
  };
}

/**
 * The unacknowledged ops become exactly `ops`, written raw as a broken client would have;
 * "refused" (and nothing changed) when the outbox cannot hold them.
 */
export async function rewriteOutbox(device: VectorDevice, ops: readonly WireOp[]): Promise<"written" | "refused"> {
  const tx = device.db.transaction(["outbox", "meta"], "readwrite");
  const outbox = tx.objectStore("outbox");
  try {
    for (const status of ["pending", "sent"] as const) {
      for (const seq of await outbox.index("by_status").getAllKeys(status)) await outbox.delete(seq);
    }
    for (const op of ops) await outbox.put(rowOf(op, device.clock.now));
    const meta = tx.objectStore("meta");
    const clock = await getMeta(meta, "clock");
    await putMeta(meta, "clock", { ...clock, nextSeq: Math.max(clock.nextSeq, ...ops.map((op) => op.seq + 1)) });
    await tx.done;
  } catch (error: unknown) {
    await tx.done.catch(() => undefined);
    if (error instanceof Error && error.name === "ConstraintError") return "refused";
    throw error;
  }
  await device.client.refresh();
  return "written";
}

/** The op was acknowledged but the app died before storing it (F3): it is `sent` again. */
export async function loseAck(device: VectorDevice, seq: number): Promise<void> {
  const op = await device.db.get("outbox", seq);
  if (op !== undefined) await device.db.put("outbox", { ...op, status: "sent", ackedAt: null });
  await device.client.refresh();
}

export async function setFeed(device: VectorDevice, patch: Partial<FeedMeta>): Promise<void> {
  await updateMeta(device.db, "feed", (feed) => ({ ...feed, ...patch }));
}

/** Every live synced row, for "nothing changed" checks. */
export async function dumpLive(db: CangkuDb): Promise<string> {
  const rows: JsonObject = {};
  for (const store of SYNCED_STORES) rows[store] = JSON.stringify(await db.getAll(store));
  return JSON.stringify(rows);
}
