// Hash routes (`#/pick/12`): they work from the service worker's cached shell with no server
// rewrite rules, and survive a reload while offline.

import { signal } from "@preact/signals";

export interface Route {
  /** First path segment, e.g. "pick"; "" is home. */
  readonly name: string;
  /** Remaining segments, e.g. ["12"] for `#/pick/12`. */
  readonly args: readonly string[];
}

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#\/?/, "");
  const [name = "", ...args] = path.split("/").filter((part) => part !== "").map(decodeURIComponent);
  return { name, args };
}

export function hrefOf(name: string, ...args: readonly (string | number)[]): string {
  const parts = [name, ...args.map((a) => encodeURIComponent(String(a)))].filter((p) => p !== "");
  return `#/${parts.join("/")}`;
}

export const route = signal<Route>(parseHash(globalThis.location?.hash ?? ""));

export function navigate(name: string, ...args: readonly (string | number)[]): void {
  const href = hrefOf(name, ...args);
  if (globalThis.location !== undefined && globalThis.location.hash !== href) globalThis.location.hash = href;
  route.value = parseHash(href);
}

export function listenToHash(): () => void {
  const onChange = (): void => {
    route.value = parseHash(location.hash);
  };
  addEventListener("hashchange", onChange);
  return () => removeEventListener("hashchange", onChange);
}
