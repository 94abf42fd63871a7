// The few facts the shell keeps in localStorage rather than IndexedDB: who is logged in and which
// device id this phone was given. They must outlive an evicted IndexedDB, because "we were
// registered but the database is empty" is how lost storage is noticed (SPEC §9.4) instead of the
// phone silently starting over as a new device.

/** The part of `Storage` the shell uses; tests pass a Map-backed one. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The page's localStorage, or an in-memory stand-in where it is missing or blocked. */
export function browserStorage(): KeyValueStorage {
  try {
    const storage = globalThis.localStorage;
    if (storage !== undefined) {
      const probe = "cangku.probe";
      storage.setItem(probe, "1");
      storage.removeItem(probe);
      return storage;
    }
  } catch {
    // private mode or blocked storage: keep the session for this page only
  }
  return memoryStorage();
}

export function memoryStorage(): KeyValueStorage {
  const values = new Map<string, string>();
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
    removeItem: (key) => void values.delete(key),
  };
}

export function readJson(storage: KeyValueStorage, key: string): unknown {
  try {
    const text = storage.getItem(key);
    return text === null ? null : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}

export function writeJson(storage: KeyValueStorage, key: string, value: unknown): void {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(value));
  } catch {
    // quota or blocked storage: the in-memory signal still holds the value for this page
  }
}
