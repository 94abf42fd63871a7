import { signal } from "@preact/signals";
import { describe, expect, it } from "vitest";
import type { WorkerRequest } from "./sw-types";
import { createUpdater, type ContainerLike, type RegistrationLike, type WorkerLike } from "./update";

class FakeWorker implements WorkerLike {
  state = "installing";
  readonly sent: WorkerRequest[] = [];
  private readonly listeners: (() => void)[] = [];
  postMessage(message: WorkerRequest): void {
    this.sent.push(message);
  }
  addEventListener(_: "statechange", listener: () => void): void {
    this.listeners.push(listener);
  }
  become(state: string): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}

class FakeRegistration implements RegistrationLike {
  installing: FakeWorker | null = null;
  waiting: FakeWorker | null = null;
  updates = 0;
  failUpdate = false;
  private readonly listeners: (() => void)[] = [];
  addEventListener(_: "updatefound", listener: () => void): void {
    this.listeners.push(listener);
  }
  update(): Promise<unknown> {
    this.updates += 1;
    return this.failUpdate ? Promise.reject(new TypeError("Failed to fetch")) : Promise.resolve();
  }
  /** The browser found a new sw.js and installed it; it now waits. */
  newVersionWaits(): FakeWorker {
    const worker = new FakeWorker();
    this.installing = worker;
    for (const listener of this.listeners) listener();
    this.installing = null;
    this.waiting = worker;
    worker.become("installed");
    return worker;
  }
}

class FakeContainer implements ContainerLike {
  readonly registration = new FakeRegistration();
  registeredWith: [string, RegistrationOptions | undefined] | null = null;
  private readonly listeners: (() => void)[] = [];
  controller: object | null;
  constructor(controller: object | null) {
    this.controller = controller;
  }
  register(url: string, options?: RegistrationOptions): Promise<RegistrationLike> {
    this.registeredWith = [url, options];
    return Promise.resolve(this.registration);
  }
  addEventListener(_: "controllerchange", listener: () => void): void {
    this.listeners.push(listener);
  }
  controllerChanges(): void {
    this.controller = {};
    for (const listener of this.listeners) listener();
  }
}

async function setup(options: { controlled?: boolean } = {}) {
  const container = new FakeContainer(options.controlled === false ? null : {});
  const busy = signal(false);
  let reloads = 0;
  const updater = createUpdater({ container, busy, reload: () => (reloads += 1) });
  await updater.start();
  return { container, registration: container.registration, busy, updater, reloads: () => reloads };
}

describe("update policy", () => {
  it("registers /sw.js for the whole origin, bypassing the HTTP cache", async () => {
    const { container } = await setup();
    expect(container.registeredWith).toEqual(["/sw.js", { scope: "/", updateViaCache: "none" }]);
  });

  it("offers a waiting version and leaves it waiting until the person accepts", async () => {
    const { registration, updater } = await setup();
    const worker = registration.newVersionWaits();
    expect(updater.phase.value).toBe("ready");
    expect(worker.sent).toEqual([]);
  });

  it("applies an accepted update at once when no task is open, then reloads once", async () => {
    const { container, registration, updater, reloads } = await setup();
    const worker = registration.newVersionWaits();
    updater.accept();
    expect(worker.sent).toEqual([{ type: "SKIP_WAITING" }]);
    expect(updater.phase.value).toBe("applying");
    container.controllerChanges();
    container.controllerChanges();
    expect(reloads()).toBe(1);
  });

  it("accepted mid-task: waits for the task boundary, then applies by itself", async () => {
    const { container, registration, busy, updater, reloads } = await setup();
    const worker = registration.newVersionWaits();
    busy.value = true;
    updater.accept();
    expect(updater.phase.value).toBe("deferred");
    busy.value = false;
    busy.value = true; // a second task starts: nothing more happens
    busy.value = false;
    expect(worker.sent).toEqual([{ type: "SKIP_WAITING" }]);
    container.controllerChanges();
    expect(reloads()).toBe(1);
  });

  it("a version that arrives after the person accepted (during a task) is applied at the boundary", async () => {
    const { registration, busy, updater } = await setup();
    busy.value = true;
    updater.accept(); // nothing waiting yet: remembered
    const worker = registration.newVersionWaits();
    expect(updater.phase.value).toBe("deferred");
    expect(worker.sent).toEqual([]);
    busy.value = false;
    expect(worker.sent).toEqual([{ type: "SKIP_WAITING" }]);
  });

  it("a takeover from another tab reloads this one only when its task ends", async () => {
    const { container, busy, reloads } = await setup();
    busy.value = true;
    container.controllerChanges();
    expect(reloads()).toBe(0);
    busy.value = false;
    expect(reloads()).toBe(1);
  });

  it("on the very first install there is nothing to offer and the claim does not reload", async () => {
    const { container, registration, updater, reloads } = await setup({ controlled: false });
    registration.newVersionWaits(); // first worker installing (it activates by itself)
    expect(updater.phase.value).toBe("none");
    container.controllerChanges(); // clients.claim()
    expect(reloads()).toBe(0);
    registration.newVersionWaits(); // a later version in the same session is offered
    expect(updater.phase.value).toBe("ready");
  });

  it("offers a version already waiting when the app starts", async () => {
    const container = new FakeContainer({});
    container.registration.waiting = new FakeWorker();
    container.registration.waiting.state = "installed";
    const updater = createUpdater({ container, busy: signal(false), reload: () => undefined });
    await updater.start();
    expect(updater.phase.value).toBe("ready");
  });

  it("withdraws the offer when the waiting version is replaced before it is applied", async () => {
    const { registration, updater } = await setup();
    const worker = registration.newVersionWaits();
    worker.become("redundant");
    expect(updater.phase.value).toBe("none");
    registration.newVersionWaits();
    expect(updater.phase.value).toBe("ready");
  });

  it("checking for a new version while offline stays quiet", async () => {
    const { registration, updater } = await setup();
    registration.failUpdate = true;
    await expect(updater.check()).resolves.toBeUndefined();
    expect(registration.updates).toBe(1);
  });
});
