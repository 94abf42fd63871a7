// Scan-to-feedback time: from ScanEvent.at (when the key burst ended or the frame was read) to the
// moment the beep is given. The target (p95 ≤ 50 ms on a phone) is measured in a real browser;
// screens record a sample each time they give feedback for a scan, and an end-to-end test reads the
// summary from `globalThis.__cangkuScanLatency`.

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0–100); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
  };
}

/** Keeps the latest `capacity` samples (ms). */
export class LatencyRecorder {
  readonly #capacity: number;
  readonly #samples: number[] = [];
  readonly #now: () => number;

  constructor(capacity = 1_000, now: () => number = () => performance.now()) {
    this.#capacity = capacity;
    this.#now = now;
  }

  /** One scan's feedback was given now (or at `feedbackAt`); `scannedAt` is its ScanEvent.at. */
  record(scannedAt: number, feedbackAt: number = this.#now()): number {
    const ms = Math.max(0, feedbackAt - scannedAt);
    this.#samples.push(ms);
    if (this.#samples.length > this.#capacity) this.#samples.splice(0, this.#samples.length - this.#capacity);
    return ms;
  }

  get samples(): readonly number[] {
    return this.#samples;
  }

  summary(): LatencySummary {
    return summarize(this.#samples);
  }

  clear(): void {
    this.#samples.length = 0;
  }
}

export const scanLatency = new LatencyRecorder();

(globalThis as { __cangkuScanLatency?: LatencyRecorder }).__cangkuScanLatency = scanLatency;
