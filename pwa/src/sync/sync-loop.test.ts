// When the loop syncs: at start, on pokes (coalesced), every 60 s, sooner after a failure; a lost
// poke stream reconnects with backoff, one closed by a 401 does not.
import { afterEach, describe, expect, test, vi } from "vitest";
import type { PokeHandlers, PokeSource } from "./poke";
import { SyncLoop } from "./sync-loop";
import { answer, applyAll, refusal, registeredClient, scripted, until } from "./test-support";
import { NetworkError, type TransportRequest } from "./transport";
import { networkError } from "./errors";

afterEach(() => {
  vi.useRealTimers();
});

function fakePoke(): { source: PokeSource; connections: PokeHandlers[]; closed: number } {
  const state = { connections: [] as PokeHandlers[], closed: 0, source: null as unknown as PokeSource };
  state.source = {
    connect(handlers) {
      state.connections.push(handlers);
      return { close: () => (state.closed += 1) };
    },
  };
  return state;
}

const pulls = (requests: TransportRequest[]): number => requests.filter((r) => r.path === "/api/sync/pull").length;

async function setup(failPulls = false) {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  const { transport, requests } = scripted((request) => {
    if (request.path === "/api/sync/push") return applyAll(request);
    if (failPulls) return new NetworkError("offline");
    return answer(200, { cursor: `c${requests.length}`, server_time: "" });
  });
  const { client } = await registeredClient(transport);
  const poke = fakePoke();
  const loop = new SyncLoop({ client, poke: poke.source, random: () => 0.5 });
  return { client, requests, poke, loop };
}

describe("sync loop", () => {
  test("syncs at start, on each poke, and every 60 s", async () => {
    const { requests, poke, loop, client } = await setup();
    loop.start();
    await until(() => pulls(requests) === 1 && !client.state.get().pulling);
    expect(poke.connections).toHaveLength(1);
    poke.connections[0]?.onPoke();
    await until(() => pulls(requests) === 2 && !client.state.get().pulling);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(pulls(requests)).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000);
    await until(() => pulls(requests) === 3);
    loop.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(pulls(requests)).toBe(3);
    expect(poke.closed).toBe(1);
  });

  test("pokes during a run cause exactly one more run", async () => {
    const { requests, poke, loop } = await setup();
    loop.start();
    poke.connections[0]?.onPoke();
    poke.connections[0]?.onPoke();
    poke.connections[0]?.onReady();
    await until(() => pulls(requests) === 2);
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(pulls(requests)).toBe(2);
    loop.stop();
  });

  test("after failed pulls the next tries come after a growing backoff, not after 60 s", async () => {
    const { requests, loop, client } = await setup(true);
    loop.start();
    await until(() => pulls(requests) === 1 && !client.state.get().pulling);
    await vi.advanceTimersByTimeAsync(1_000);
    await until(() => pulls(requests) === 2 && !client.state.get().pulling);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(pulls(requests)).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => pulls(requests) === 3);
    loop.stop();
  });

  test("a lost poke stream reconnects after the backoff; one closed by a 401 stays closed", async () => {
    const { poke, loop, requests } = await setup();
    loop.start();
    await until(() => pulls(requests) === 1);
    poke.connections[0]?.onClose(networkError("reset"));
    await vi.advanceTimersByTimeAsync(999);
    expect(poke.connections).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(poke.connections).toHaveLength(2);
    poke.connections[1]?.onClose({ ...networkError("x"), kind: "auth", code: "token_invalid", status: 401 });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(poke.connections).toHaveLength(2);
    loop.stop();
  });

  test("an auth halt stops syncing requests; a new token and a nudge start again", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let valid = false;
    const { transport, requests } = scripted((request) =>
      !valid
        ? refusal(401, "token_invalid")
        : request.path === "/api/sync/pull"
          ? answer(200, { cursor: "c" })
          : applyAll(request),
    );
    const { client } = await registeredClient(transport);
    const loop = new SyncLoop({ client, random: () => 0.5 });
    loop.start();
    await until(() => client.state.get().halted?.kind === "auth");
    const refused = requests.length;
    await vi.advanceTimersByTimeAsync(60_000);
    await until(() => !client.state.get().pulling);
    expect(requests.length).toBe(refused); // halted: the periodic run sends nothing
    valid = true;
    await client.setToken("new");
    await loop.nudge();
    expect(client.state.get().halted).toBeNull();
    expect(pulls(requests)).toBe(2);
    loop.stop();
  });
});
