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

export interface PushEvent extends ExtendableEvent {
  /** Null for a push without a payload. */
  readonly data: { text(): string } | null;
}

export interface NotificationEvent extends ExtendableEvent {
  readonly notification: Notification;
  readonly action: string;
}

export interface WindowClient {
  readonly url: string;
  readonly focused: boolean;
  focus(): Promise<WindowClient>;
  postMessage(message: PageMessage): void;
}

export interface Clients {
  claim(): Promise<void>;
  matchAll(options: { type: "window"; includeUncontrolled: boolean }): Promise<readonly WindowClient[]>;
  openWindow(url: string): Promise<WindowClient | null>;
}

export interface ServiceWorkerGlobal {
  readonly location: Location;
  readonly navigator: { readonly language: string };
  readonly registration: ServiceWorkerRegistration;
  readonly clients: Clients;
  skipWaiting(): Promise<void>;
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
  addEventListener(type: "message", listener: (event: ExtendableMessageEvent) => void): void;
  addEventListener(type: "push", listener: (event: PushEvent) => void): void;
  addEventListener(type: "notificationclick", listener: (event: NotificationEvent) => void): void;
}

/**
 * Messages the page sends the worker: src/pwa/update.ts's two, and the end-to-end tests' tap on a
 * shown notification (obeyed only when the page set the notices database's `testHooks`).
 */
export type WorkerRequest =
  | { readonly type: "SKIP_WAITING" }
  | { readonly type: "VERSION" }
  | { readonly type: "CLICK_NOTICE"; readonly tag: string };

/** Messages the worker sends the app's pages (src/notices/worker.ts, read by src/notices/live.ts). */
export type PageMessage =
  /** A notification was kept in the centre's database (or marked read there). */
  | { readonly type: "NOTICE"; readonly key: string }
  /** A notification was tapped: show this hash route (`#/order/12`). */
  | { readonly type: "OPEN"; readonly route: string };
