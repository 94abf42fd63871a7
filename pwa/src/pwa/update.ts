// When a new version of the app takes over (STYLE-ANCHORS: never swap code under a picker).
//
// The browser finds a new /sw.js on its own (every start, and `check()` below); the new worker
// precaches its build and then WAITS (sw.ts never calls skipWaiting by itself). We offer it
// (UpdateBanner); the person accepts; we apply it only when no task is open (src/app/activity.ts),
// so accepting in the middle of a pick applies it at the next task boundary, automatically.
// Applying = tell the waiting worker SKIP_WAITING; the page moves to it (controllerchange) and
// reloads. The outbox is in IndexedDB, which neither the worker nor a reload touches.

import { signal, type ReadonlySignal } from "@preact/signals";
import { beginTask, inTask } from "../app/activity";
import type { WorkerRequest } from "./sw-types";

export type UpdatePhase =
  /** Running the newest version known. */
  | "none"
  /** A new version is installed and waiting: offer it. */
  | "ready"
  /** Accepted during a task: applied as soon as no task is open. */
  | "deferred"
  /** The new worker was told to take over; the page reloads when it has. */
  | "applying";

// The slices of the ServiceWorker API used here, so tests can hand in fakes.
export interface WorkerLike {
  readonly state: string;
  postMessage(message: WorkerRequest): void;
  addEventListener(type: "statechange", listener: () => void): void;
}

export interface RegistrationLike {
  readonly installing: WorkerLike | null;
  readonly waiting: WorkerLike | null;
  addEventListener(type: "updatefound", listener: () => void): void;
  update(): Promise<unknown>;
}

export interface ContainerLike {
  readonly controller: object | null;
  register(url: string, options?: RegistrationOptions): Promise<RegistrationLike>;
  addEventListener(type: "controllerchange", listener: () => void): void;
}

export interface UpdaterOptions {
  readonly container: ContainerLike;
  /** True while a task is open (`inTask`). */
  readonly busy: ReadonlySignal<boolean>;
  readonly reload: () => void;
  readonly url?: string;
}

export interface Updater {
  readonly phase: ReadonlySignal<UpdatePhase>;
  /** Registers the worker and starts watching for waiting versions. */
  start(): Promise<void>;
  /** The person accepted the update: applied now, or at the next task boundary. */
  accept(): void;
  /** Asks the server whether /sw.js changed; quiet when offline. */
  check(): Promise<void>;
}

export function createUpdater(options: UpdaterOptions): Updater {
  const { container, busy, reload } = options;
  const phase = signal<UpdatePhase>("none");
  let registration: RegistrationLike | null = null;
  let waiting: WorkerLike | null = null;
  let accepted = false;
  // A page with no controller is on the very first install: the worker claims it (same build),
  // and that controllerchange must not reload anything.
  let controlled = container.controller !== null;
  let reloadDue = false;
  let reloaded = false;

  /** Does whatever the current task boundary allows; called on every change of state. */
  const settle = (): void => {
    if (busy.peek()) {
      if (accepted && waiting !== null && phase.peek() === "ready") phase.value = "deferred";
      return;
    }
    if (reloadDue) {
      if (!reloaded) {
        reloaded = true;
        reload();
      }
      return;
    }
    if (accepted && waiting !== null && phase.peek() !== "applying") {
      phase.value = "applying";
      waiting.postMessage({ type: "SKIP_WAITING" });
    }
  };

  const offer = (worker: WorkerLike): void => {
    if (!controlled || worker === waiting) return; // first install: nothing to offer
    waiting = worker;
    worker.addEventListener("statechange", () => {
      // Replaced by a newer build before it was applied: that one will be offered instead.
      if (worker.state === "redundant" && waiting === worker) {
        waiting = null;
        if (phase.peek() !== "applying") phase.value = "none";
      }
    });
    phase.value = accepted ? (busy.peek() ? "deferred" : "ready") : "ready";
    settle();
  };

  const watchInstalling = (worker: WorkerLike): void => {
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed") offer(worker);
    });
  };

  busy.subscribe(() => settle());

  container.addEventListener("controllerchange", () => {
    if (!controlled) {
      controlled = true;
      return;
    }
    // A new version took over this page (accepted here or in another tab): reload into it, but
    // never in the middle of a task.
    reloadDue = true;
    settle();
  });

  return {
    phase,
    async start() {
      // updateViaCache "none": the browser always asks the server for /sw.js, never its HTTP cache.
      registration = await container.register(options.url ?? "/sw.js", { scope: "/", updateViaCache: "none" });
      if (registration.waiting !== null) offer(registration.waiting); // found waiting at start
      if (registration.installing !== null) watchInstalling(registration.installing);
      registration.addEventListener("updatefound", () => {
        const worker = registration?.installing ?? null;
        if (worker !== null) watchInstalling(worker);
      });
    },
    accept() {
      accepted = true;
      if (busy.peek() && waiting !== null) phase.value = "deferred";
      settle();
    },
    async check() {
      try {
        await registration?.update();
      } catch {
        // offline or the server is down: the next check will do
      }
    },
  };
}

/** The build version a worker serves (its cache name's suffix), or null if it does not answer. */
export function workerVersion(worker: ServiceWorker | null, timeoutMs = 2000): Promise<string | null> {
  if (worker === null) return Promise.resolve(null);
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), timeoutMs);
    channel.port1.onmessage = (event: MessageEvent<{ version?: string }>) => {
      clearTimeout(timer);
      resolve(event.data.version ?? null);
    };
    const request: WorkerRequest = { type: "VERSION" };
    worker.postMessage(request, [channel.port2]);
  });
}

/** How often a long-running app asks for a new version (it also asks on start and when back online). */
const CHECK_EVERY_MS = 30 * 60 * 1000;
const TEST_HOOK_KEY = "cangku.testHooks";

let running: Updater | null = null;

/**
 * Registers /sw.js once and returns the app's updater; null where there is no service worker (the
 * Vite dev server, old browsers). Mounting <UpdateBanner/> calls it, so the shell needs nothing
 * else; calling it earlier from main.ts is fine too (it is idempotent).
 */
export function startServiceWorker(): Updater | null {
  if (running !== null) return running;
  if (import.meta.env.DEV || typeof navigator === "undefined" || !("serviceWorker" in navigator)) return null;
  const updater = createUpdater({
    container: navigator.serviceWorker,
    busy: inTask,
    reload: () => window.location.reload(),
  });
  running = updater;
  updater.start().catch((error: unknown) => console.warn("service worker registration failed", error));
  setInterval(() => void updater.check(), CHECK_EVERY_MS);
  window.addEventListener("online", () => void updater.check());
  installTestHook(updater);
  return updater;
}

/**
 * End-to-end tests (tests/e2e) drive the policy through `window.__cangkuTest`, present only when
 * localStorage says so (a Playwright init script sets it): the production build under test stays
 * the one people get, and nobody else's page grows a global.
 */
function installTestHook(updater: Updater): void {
  let wanted = false;
  try {
    wanted = localStorage.getItem(TEST_HOOK_KEY) === "1";
  } catch {
    wanted = false; // storage blocked
  }
  if (!wanted) return;
  Object.assign(window, {
    __cangkuTest: {
      beginTask,
      inTask: () => inTask.peek(),
      updatePhase: () => updater.phase.peek(),
      acceptUpdate: () => updater.accept(),
      checkForUpdate: () => updater.check(),
      workerVersion: () => workerVersion(navigator.serviceWorker.controller),
    },
  });
}
