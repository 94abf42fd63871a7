// Asks the browser once to keep this site's storage (the outbox may hold a day of unsent work,
// and "best effort" storage can be evicted under pressure) and remembers the answer for settings.

import type { KeyValueStorage } from "../session/storage";

export const PERSIST_KEY = "cangku.persist";

export interface StorageManagerLike {
  persist?: () => Promise<boolean>;
  persisted?: () => Promise<boolean>;
}

/** The answer (true: the browser will not evict our data), or null where it cannot be asked. */
export async function askPersistence(
  manager: StorageManagerLike | undefined,
  storage: KeyValueStorage,
): Promise<boolean | null> {
  if (manager?.persist === undefined) return null;
  try {
    const asked = storage.getItem(PERSIST_KEY);
    if (asked === null) {
      const granted = await manager.persist();
      storage.setItem(PERSIST_KEY, String(granted));
      return granted;
    }
    // Asked before: read the current state (the person may have changed it in the browser).
    return manager.persisted === undefined ? asked === "true" : await manager.persisted();
  } catch {
    return null;
  }
}
