// Test support for the report screens (not shipped): services whose `api` answers from a table of
// handlers, and a session. Screens under test read nothing else from the app.

import { signal } from "@preact/signals";
import { vi, type Mock } from "vitest";
import type { AppServices, Session } from "../app/services";
import { INITIAL_STATE } from "../sync/state";

export type Handler = (method: string, path: string, body: unknown) => unknown;

export interface FakeApi {
  readonly services: AppServices;
  readonly api: Mock<(method: string, path: string, body?: unknown) => Promise<unknown>>;
  /** Replace what the server answers from now on. */
  answer(handler: Handler): void;
}

export const SESSION: Session = {
  userId: 7,
  username: "boss",
  displayName: "老板",
  permissions: ["orders.read", "sync.review"],
  deviceId: "dev-1",
  warehouseId: 1,
};

export function fakeApi(handler: Handler, session: Session = SESSION): FakeApi {
  let current = handler;
  const api = vi.fn(async (method: string, path: string, body?: unknown) => current(method, path, body));
  const services = {
    db: null,
    sync: null,
    syncState: signal(INITIAL_STATE),
    session: signal(session),
    record: async () => {
      throw new Error("report screens record no ops");
    },
    api,
  } as unknown as AppServices;
  return {
    services,
    api,
    answer: (next) => {
      current = next;
    },
  };
}
