// Pokes (SPEC.md §7.3): `GET /api/sync/poke` is a server-sent event stream — `ready` once
// connected, `poke` when something in the device's scopes changed, a comment heartbeat every 25 s.
// A poke carries no data: it only says "pull now". The browser's EventSource cannot send the
// `Authorization` header the server requires (§2), so the stream is read with fetch. Behind the
// `PokeSource` interface, so tests (and a future WebSocket) can stand in for it.

import type { JsonValue } from "../store/json";
import { decodeErrorBody } from "./decode";
import { errorFromBody, networkError, type SyncError } from "./errors";
import { SseParser } from "./sse";

export const POKE_PATH = "/api/sync/poke";

export interface PokeHandlers {
  /** Connected: pull now (anything may have changed while disconnected). */
  onReady(): void;
  /** Something changed: pull now. */
  onPoke(): void;
  /** The stream ended (`error` null: closed by the server) — reconnect later, unless told to stop. */
  onClose(error: SyncError | null): void;
}

export interface PokeConnection {
  close(): void;
}

export interface PokeSource {
  connect(handlers: PokeHandlers): PokeConnection;
}

export interface SsePokeOptions {
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  /** The device's current token (read at each connect: it may have been renewed). */
  readonly token: () => Promise<string | null>;
}

function parseJson(text: string): JsonValue | null {
  try {
    return JSON.parse(text) as JsonValue; // JSON.parse yields JSON values only
  } catch {
    return null;
  }
}

async function stream(options: SsePokeOptions, handlers: PokeHandlers, signal: AbortSignal): Promise<SyncError | null> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const token = await options.token();
  const headers: Record<string, string> = { Accept: "text/event-stream" };
  if (token !== null) headers["Authorization"] = `Bearer ${token}`;
  const response = await doFetch(`${options.baseUrl ?? ""}${POKE_PATH}`, { headers, signal });
  if (!response.ok || response.body === null) {
    return errorFromBody(decodeErrorBody(response.status, parseJson(await response.text())));
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return null;
    for (const event of parser.feed(decoder.decode(value, { stream: true }))) {
      if (event.event === "ready") handlers.onReady();
      else if (event.event === "poke") handlers.onPoke();
    }
  }
}

export function ssePokeSource(options: SsePokeOptions): PokeSource {
  return {
    connect(handlers) {
      const controller = new AbortController();
      stream(options, handlers, controller.signal).then(
        (error) => {
          if (!controller.signal.aborted) handlers.onClose(error);
        },
        (thrown: unknown) => {
          if (!controller.signal.aborted)
            handlers.onClose(networkError(thrown instanceof Error ? thrown.message : String(thrown)));
        },
      );
      return { close: () => controller.abort() };
    },
  };
}
