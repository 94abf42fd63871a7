// One stream of scans, whatever produced them: the camera, a keyboard-wedge scanner or a typed
// code. Screens subscribe while mounted and see only the text and where it came from, so a flow is
// tested by emitting events and works the same with a Zebra trigger or a phone camera.

export type ScanSource = "camera" | "wedge" | "manual";

export interface ScanEvent {
  /** The decoded text as read (GS1 separators kept as U+001D). */
  readonly text: string;
  readonly source: ScanSource;
  /** Symbology when the source knows it, e.g. "ean_13", "qr_code", "data_matrix". */
  readonly format?: string;
  /** performance.now() when the scan arrived, for the scan-to-feedback measurement. */
  readonly at: number;
}

export type ScanHandler = (event: ScanEvent) => void;

/**
 * Delivers each scan to the newest subscriber only: the screen on top owns the trigger, so a
 * dialog that asks for a scan does not also feed the screen beneath it.
 */
export class ScanBus {
  readonly #handlers: ScanHandler[] = [];

  subscribe(handler: ScanHandler): () => void {
    this.#handlers.push(handler);
    return () => {
      const at = this.#handlers.lastIndexOf(handler);
      if (at >= 0) this.#handlers.splice(at, 1);
    };
  }

  emit(event: ScanEvent): boolean {
    const handler = this.#handlers[this.#handlers.length - 1];
    if (handler === undefined) return false;
    handler(event);
    return true;
  }

  get listening(): boolean {
    return this.#handlers.length > 0;
  }
}

export const scanBus = new ScanBus();
