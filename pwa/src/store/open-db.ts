// Opens (creating or upgrading) the device database. Another tab that opens a newer schema asks
// this connection to close; the app then reloads at a task boundary (`onVersionChange`).

import { openDB } from "idb";
import { DB_NAME, type CangkuDb, type CangkuSchema } from "./schema";
import { SCHEMA_VERSION, runUpgrades } from "./upgrades";

export interface OpenOptions {
  /** Database name (tests use one per case). */
  readonly name?: string;
  /** Upgrade only up to this version (tests of old schemas); default: the latest. */
  readonly version?: number;
  /** A newer version wants to open: this connection has been closed. */
  readonly onVersionChange?: () => void;
}

export async function openCangkuDb(options: OpenOptions = {}): Promise<CangkuDb> {
  const version = options.version ?? SCHEMA_VERSION;
  const db = await openDB<CangkuSchema>(options.name ?? DB_NAME, version, {
    upgrade(database, oldVersion, newVersion, tx) {
      runUpgrades(database, tx, oldVersion, newVersion ?? version);
    },
    blocking() {
      db.close();
      options.onVersionChange?.();
    },
  });
  return db;
}
