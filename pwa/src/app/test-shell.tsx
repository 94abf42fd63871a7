// Test support for the shell: a shell over fake-indexeddb and a fake server with no timers left
// running, and a mounted <App/> to drive like a person would (type, tap, read).
import { render } from "preact";
import { FakeServer } from "../session/fake-server";
import { memoryStorage, type KeyValueStorage } from "../session/storage";
import type { CangkuDb } from "../store/schema";
import { freshDb } from "../store/test-support";
import { App } from "./App";
import { createShell } from "./boot";
import { navigate } from "./router";
import type { Shell } from "./shell";

export interface TestShell {
  readonly server: FakeServer;
  readonly db: CangkuDb;
  readonly storage: KeyValueStorage;
  readonly shell: Shell;
}

export async function bootTestShell(
  parts: { server?: FakeServer; db?: CangkuDb; storage?: KeyValueStorage; autoSync?: boolean } = {},
): Promise<TestShell> {
  const server = parts.server ?? new FakeServer();
  const db = parts.db ?? (await freshDb());
  const storage = parts.storage ?? memoryStorage();
  const shell = await createShell({
    db,
    fetch: server.fetch,
    storage,
    navigator: {
      userAgent: "Mozilla/5.0 (test)",
      platform: "Linux",
      onLine: true,
      storage: { persist: async () => true, persisted: async () => true },
    },
    online: null,
    poke: null,
    sync: { sleep: async () => undefined, maxAttempts: 1, random: () => 0.5 },
    autoSync: parts.autoSync ?? true,
  });
  return { server, db, storage, shell };
}

/** Renders the whole app at `route` into a fresh div; returns it and an unmount. */
export function mountApp(shell: Shell, route = ""): { root: HTMLElement; unmount: () => void } {
  navigate(route);
  const root = document.createElement("div");
  document.body.append(root);
  render(<App shell={shell} updater={null} />, root);
  return {
    root,
    unmount: () => {
      render(null, root);
      root.remove();
    },
  };
}

export function byTestId<E extends HTMLElement = HTMLElement>(root: ParentNode, id: string): E | null {
  return root.querySelector<E>(`[data-testid="${id}"]`);
}

/** Types into an input the way a person does (value, then an input event). */
export function typeInto(input: HTMLInputElement | null, text: string): void {
  if (input === null) throw new Error("no such input");
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

export function tap(element: HTMLElement | null): void {
  if (element === null) throw new Error("no such element");
  element.click();
}
