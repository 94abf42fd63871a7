// The few service-worker types src/sw.ts uses. TypeScript's "webworker" lib would give them, but
// it cannot be loaded beside "DOM" in one program without clashing (both declare `self`,
// `onmessage`, ...), and the rest of src/ needs DOM. Types only: nothing here reaches sw.js.

export interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

export interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

export interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
  readonly ports: readonly MessagePort[];
}

export interface ServiceWorkerGlobal {
  readonly location: Location;
  readonly registration: ServiceWorkerRegistration;
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
  addEventListener(type: "message", listener: (event: ExtendableMessageEvent) => void): void;
}

/** Messages the page sends the worker (src/pwa/update.ts). */
export type WorkerRequest = { readonly type: "SKIP_WAITING" } | { readonly type: "VERSION" };
