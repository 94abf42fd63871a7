// The way hardware scans (wedge, camera) enter the scan bus, with a duplicate guard: a trigger that
// bounces, or a scanner configured to send twice, must not count an item twice. The same text from
// the same source within 800 ms is dropped — unless the screen is counting by repeated scans
// (continuous count mode) and asks to accept repeats for as long as it is in that mode.

import { useEffect } from "preact/hooks";
import { scanBus, type ScanBus, type ScanEvent, type ScanSource } from "./events";

export const DUPLICATE_WINDOW_MS = 800;

export class ScanEmitter {
  readonly #bus: ScanBus;
  readonly #windowMs: number;
  readonly #last = new Map<ScanSource, { text: string; at: number }>();
  #repeatHolds = 0;

  constructor(bus: ScanBus, windowMs = DUPLICATE_WINDOW_MS) {
    this.#bus = bus;
    this.#windowMs = windowMs;
  }

  /** Delivers the scan unless it repeats the last one from its source too soon; false when dropped
   * or when no screen listens. */
  emit(event: ScanEvent): boolean {
    const last = this.#last.get(event.source);
    if (
      !this.acceptingRepeats &&
      last !== undefined &&
      last.text === event.text &&
      event.at - last.at >= 0 &&
      event.at - last.at < this.#windowMs
    ) {
      return false;
    }
    this.#last.set(event.source, { text: event.text, at: event.at });
    return this.#bus.emit(event);
  }

  /** Continuous counting: every scan counts, repeats included, until the returned release is called. */
  acceptRepeats(): () => void {
    this.#repeatHolds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#repeatHolds -= 1;
    };
  }

  get acceptingRepeats(): boolean {
    return this.#repeatHolds > 0;
  }

  get listening(): boolean {
    return this.#bus.listening;
  }

  /** Forgets the last scans (tests; a new screen). */
  reset(): void {
    this.#last.clear();
  }
}

export const scanEmitter = new ScanEmitter(scanBus);

/** For a screen in continuous count mode: accept repeated scans of the same code while `on`. */
export function useAcceptRepeats(on: boolean, emitter: ScanEmitter = scanEmitter): void {
  useEffect(() => (on ? emitter.acceptRepeats() : undefined), [on, emitter]);
}
