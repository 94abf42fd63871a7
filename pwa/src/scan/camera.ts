// Camera scanning: the back camera's frames go to the best decoder this device has, and each code
// read becomes one scan on the bus (source "camera").
//
// Decoder chain (BARCODE-NOTES: BarcodeDetector works on Android/ChromeOS/macOS only; on desktop
// Linux and Windows it exists but `getSupportedFormats()` is empty and `detect()` rejects):
// 1. native BarcodeDetector, only when it reports supported formats;
// 2. zxing-wasm, loaded lazily from our own build (never a CDN: see zxing-decoder.ts), so it works
//    offline once the service worker has cached it and costs nothing until the camera is used;
// 3. when online and neither works, the frame as JPEG to POST /api/scan/decode (ADR 0014).
// A decoder that keeps failing hands over to the next one.
//
// While the camera is on it keeps scanning. A code that stays in view is reported once; it counts
// again after it has left the view — or, when the screen accepts repeats (continuous counting),
// every second while it stays in view.

import type { ScanEvent } from "./events";
import { scanEmitter } from "./emitter";

/** The symbologies a warehouse meets, in BarcodeDetector's names (also ScanEvent.format). */
export const CAMERA_FORMATS = [
  "ean_13",
  "ean_8",
  "upc_a",
  "upc_e",
  "code_128",
  "code_39",
  "qr_code",
  "data_matrix",
  "pdf417",
  "itf",
] as const;
export type CameraFormat = (typeof CAMERA_FORMATS)[number];

const GS1_AIM: ReadonlySet<string> = new Set(["]C1", "]e0", "]d2", "]Q3", "]J1"]);

export interface DecodedSymbol {
  /** As read; a GS1 symbol starts with its AIM identifier (]C1, ]d2, ]Q3) so it resolves as GS1. */
  readonly text: string;
  readonly format: string;
}

/** One video frame, drawn only in the form a decoder asks for. */
export interface Frame {
  readonly source: CanvasImageSource;
  imageData(): ImageData;
  jpeg(): Promise<Blob>;
}

export type DecoderName = "native" | "zxing" | "server";

export interface FrameDecoder {
  readonly name: DecoderName;
  /** Frames closer together than this are skipped (the server's decoder is shared by everyone). */
  readonly minIntervalMs: number;
  /** Used only while this says so (the server decoder needs the network). */
  usable(): boolean;
  decode(frame: Frame): Promise<DecodedSymbol[]>;
}

export type DecoderLoader = () => Promise<FrameDecoder | null>;

/** A GS1 payload as one string the resolver reads as GS1: the AIM identifier in front. */
export function gs1Text(text: string, aim: string | null | undefined, isGs1: boolean): string {
  if (aim !== null && aim !== undefined && GS1_AIM.has(aim)) return text.startsWith(aim) ? text : aim + text;
  return isGs1 && !text.startsWith("\x1d") ? `\x1d${text}` : text;
}

// --- 1. native BarcodeDetector ---------------------------------------------------------------------

interface DetectedBarcode {
  readonly rawValue: string;
  readonly format: string;
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options?: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

export async function nativeDecoder(scope: object = globalThis): Promise<FrameDecoder | null> {
  const Detector = (scope as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (Detector === undefined) return null;
  let supported: string[];
  try {
    supported = await Detector.getSupportedFormats();
  } catch {
    return null;
  }
  const formats = CAMERA_FORMATS.filter((format) => supported.includes(format));
  if (formats.length === 0) return null; // desktop Linux/Windows Chrome: present but not implemented
  const detector = new Detector({ formats });
  return {
    name: "native",
    minIntervalMs: 60,
    usable: () => true,
    async decode(frame) {
      const found = await detector.detect(frame.source);
      return found.map((code) => ({ text: code.rawValue, format: code.format }));
    },
  };
}

// --- 2. zxing-wasm, lazily ----------------------------------------------------------------------------

export async function zxingDecoder(): Promise<FrameDecoder | null> {
  try {
    const module = await import("./zxing-decoder");
    return await module.createZxingDecoder();
  } catch {
    return null; // the chunk or the .wasm could not load (offline before the SW cached it)
  }
}

// --- 3. the server ----------------------------------------------------------------------------------

/** The server's answer to POST /api/scan/decode (only what the phone uses). */
export interface ServerDecodeAnswer {
  readonly symbols: readonly { readonly text: string; readonly format: string; readonly aim?: string | null }[];
}

export type FramePoster = (jpeg: Blob) => Promise<ServerDecodeAnswer>;

const SERVER_FORMATS: Readonly<Record<string, string>> = {
  ean13: "ean_13",
  ean8: "ean_8",
  upca: "upc_a",
  upce: "upc_e",
  code128: "code_128",
  code39: "code_39",
  code93: "code_93",
  qr: "qr_code",
  micro_qr: "micro_qr_code",
  datamatrix: "data_matrix",
  pdf417: "pdf417",
  itf: "itf",
  codabar: "codabar",
  aztec: "aztec",
};

export function serverDecoder(post: FramePoster, online: () => boolean = () => navigator.onLine): FrameDecoder {
  return {
    name: "server",
    minIntervalMs: 700,
    usable: online,
    async decode(frame) {
      const answer = await post(await frame.jpeg());
      return answer.symbols.map((symbol) => ({
        text: gs1Text(symbol.text, symbol.aim, false),
        format: SERVER_FORMATS[symbol.format] ?? symbol.format,
      }));
    },
  };
}

/** POSTs a frame with the device's token; a refusal (401, 413, 429 …) is an error the chain counts. */
export function fetchFramePoster(token: () => Promise<string | null>, baseUrl = ""): FramePoster {
  return async (jpeg) => {
    const headers: Record<string, string> = { "Content-Type": "image/jpeg", Accept: "application/json" };
    const bearer = await token();
    if (bearer !== null) headers["Authorization"] = `Bearer ${bearer}`;
    const response = await fetch(`${baseUrl}/api/scan/decode`, {
      method: "POST",
      headers,
      body: jpeg,
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`scan decode answered ${response.status}`);
    return (await response.json()) as ServerDecodeAnswer;
  };
}

// --- which decoder ---------------------------------------------------------------------------------

/**
 * The decoders in order of preference, each loaded only when the ones before it are unavailable or
 * have failed `maxFailures` times in a row.
 */
export class DecoderChain {
  readonly #loaders: readonly DecoderLoader[];
  readonly #maxFailures: number;
  #next = 0;
  #current: FrameDecoder | null = null;
  #failures = 0;
  #loading: Promise<FrameDecoder | null> | null = null;

  constructor(loaders: readonly DecoderLoader[], maxFailures = 5) {
    this.#loaders = loaders;
    this.#maxFailures = maxFailures;
  }

  /** The decoder in use, loading the next candidate if there is none; null when none is left. */
  async current(): Promise<FrameDecoder | null> {
    if (this.#current !== null) return this.#current;
    this.#loading ??= this.#load();
    return this.#loading;
  }

  async #load(): Promise<FrameDecoder | null> {
    try {
      while (this.#next < this.#loaders.length) {
        const loader = this.#loaders[this.#next];
        this.#next += 1;
        const decoder = loader === undefined ? null : await loader().catch(() => null);
        if (decoder !== null) {
          this.#current = decoder;
          this.#failures = 0;
          return decoder;
        }
      }
      return null;
    } finally {
      this.#loading = null;
    }
  }

  succeeded(): void {
    this.#failures = 0;
  }

  /** A decode threw; after `maxFailures` in a row the next decoder takes over (the last one left
   * stays: the server refusing a few frames, 429 say, is no reason to stop scanning). */
  failed(): void {
    this.#failures += 1;
    if (this.#failures < this.#maxFailures) return;
    this.#failures = 0;
    if (this.#next < this.#loaders.length) this.#current = null;
  }
}

// --- once per code in view ---------------------------------------------------------------------------

export interface InViewOptions {
  /** A code not seen for this long has left the view (a decoder misses some frames). */
  readonly goneAfterMs?: number;
  /** With repeats accepted: the shortest time between two reports of a code that stays in view. */
  readonly repeatGapMs?: number;
}

/** Decides which codes of a frame to report: new in view, or due again when repeats are wanted. */
export class InViewGate {
  readonly #goneAfter: number;
  readonly #repeatGap: number;
  readonly #seen = new Map<string, { lastSeen: number; lastReported: number }>();

  constructor(options: InViewOptions = {}) {
    this.#goneAfter = options.goneAfterMs ?? 700;
    this.#repeatGap = options.repeatGapMs ?? 1_000;
  }

  admit(texts: readonly string[], now: number, repeats: boolean): string[] {
    const out: string[] = [];
    for (const text of new Set(texts)) {
      const entry = this.#seen.get(text);
      const fresh = entry === undefined || now - entry.lastSeen > this.#goneAfter;
      const due = !fresh && repeats && entry !== undefined && now - entry.lastReported >= this.#repeatGap;
      if (fresh || due) {
        out.push(text);
        this.#seen.set(text, { lastSeen: now, lastReported: now });
      } else if (entry !== undefined) {
        entry.lastSeen = now;
      }
    }
    for (const [text, entry] of this.#seen) if (now - entry.lastSeen > this.#goneAfter * 4) this.#seen.delete(text);
    return out;
  }
}

// --- the camera ------------------------------------------------------------------------------------

export type CameraStatus =
  | { readonly state: "off" }
  | { readonly state: "starting" }
  | { readonly state: "scanning"; readonly decoder: DecoderName }
  | { readonly state: "no_decoder" }
  | { readonly state: "denied" }
  | { readonly state: "no_camera" }
  | { readonly state: "failed"; readonly message: string };

export interface CameraOptions {
  readonly decoders: DecoderChain;
  readonly getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  readonly emit?: (event: ScanEvent) => boolean;
  /** Whether the screen accepts repeated scans of one code (continuous counting). */
  readonly repeats?: () => boolean;
  readonly onStatus?: (status: CameraStatus) => void;
  readonly now?: () => number;
  /** Longest side of the frame handed to zxing / the server (pixels). */
  readonly maxSide?: number;
}

const TICK_MS = 40;

/** The back camera on one <video>, decoding frames until stopped. */
export class CameraSession {
  readonly #options: CameraOptions;
  readonly #gate = new InViewGate();
  readonly #now: () => number;
  #stream: MediaStream | null = null;
  #video: HTMLVideoElement | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #canvas: HTMLCanvasElement | null = null;
  #stopped = false;
  #busy = false;
  #lastDecode = Number.NEGATIVE_INFINITY;

  constructor(options: CameraOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  #status(status: CameraStatus): void {
    this.#options.onStatus?.(status);
  }

  async start(video: HTMLVideoElement): Promise<void> {
    this.#status({ state: "starting" });
    const getUserMedia =
      this.#options.getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
    let stream: MediaStream;
    try {
      const [media] = await Promise.all([
        getUserMedia({ video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false }),
        this.#options.decoders.current(), // load the decoder while the camera starts
      ]);
      stream = media;
    } catch (error: unknown) {
      const name = error instanceof Error ? error.name : "";
      if (name === "NotAllowedError" || name === "SecurityError") this.#status({ state: "denied" });
      else if (name === "NotFoundError" || name === "OverconstrainedError") this.#status({ state: "no_camera" });
      else this.#status({ state: "failed", message: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (this.#stopped) {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    this.#stream = stream;
    this.#video = video;
    video.srcObject = stream;
    video.muted = true;
    video.playsInline = true;
    try {
      await video.play();
    } catch {
      // autoplay of a muted inline video is allowed; a refusal still leaves frames to read
    }
    const decoder = await this.#options.decoders.current();
    this.#status(decoder === null ? { state: "no_decoder" } : { state: "scanning", decoder: decoder.name });
    this.#schedule();
  }

  /** Releases the camera (the light goes off); safe to call twice. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#stream !== null) for (const track of this.#stream.getTracks()) track.stop();
    this.#stream = null;
    if (this.#video !== null) this.#video.srcObject = null;
    this.#video = null;
    this.#status({ state: "off" });
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#tick(), TICK_MS);
  }

  async #tick(): Promise<void> {
    const video = this.#video;
    if (this.#stopped || video === null) return;
    const decoder = await this.#options.decoders.current();
    const at = this.#now();
    if (
      decoder !== null &&
      !this.#busy &&
      decoder.usable() &&
      at - this.#lastDecode >= decoder.minIntervalMs &&
      video.readyState >= 2 &&
      video.videoWidth > 0
    ) {
      this.#busy = true;
      this.#lastDecode = at;
      try {
        const symbols = await decoder.decode(this.#frame(video));
        this.#options.decoders.succeeded();
        this.#report(symbols, at);
      } catch {
        this.#options.decoders.failed();
        const next = await this.#options.decoders.current();
        if (next !== decoder) {
          this.#status(next === null ? { state: "no_decoder" } : { state: "scanning", decoder: next.name });
        }
      } finally {
        this.#busy = false;
      }
    }
    this.#schedule();
  }

  #report(symbols: readonly DecodedSymbol[], at: number): void {
    if (this.#stopped) return;
    const repeats = (this.#options.repeats ?? (() => scanEmitter.acceptingRepeats))();
    const admitted = this.#gate.admit(
      symbols.map((s) => s.text),
      at,
      repeats,
    );
    const emit = this.#options.emit ?? ((event: ScanEvent) => scanEmitter.emit(event));
    for (const text of admitted) {
      const symbol = symbols.find((s) => s.text === text);
      emit({ text, source: "camera", at, ...(symbol === undefined ? {} : { format: symbol.format }) });
    }
  }

  #frame(video: HTMLVideoElement): Frame {
    const maxSide = this.#options.maxSide ?? 1024;
    let drawn: HTMLCanvasElement | null = null;
    const draw = (): HTMLCanvasElement => {
      if (drawn !== null) return drawn;
      const scale = Math.min(1, maxSide / Math.max(video.videoWidth, video.videoHeight));
      const canvas = (this.#canvas ??= document.createElement("canvas"));
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      const ctx = canvas.getContext("2d", { willReadFrequently: true });
      if (ctx === null) throw new Error("no 2d canvas");
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      drawn = canvas;
      return canvas;
    };
    return {
      source: video,
      imageData: () => {
        const canvas = draw();
        const ctx = canvas.getContext("2d", { willReadFrequently: true });
        if (ctx === null) throw new Error("no 2d canvas");
        return ctx.getImageData(0, 0, canvas.width, canvas.height);
      },
      jpeg: () =>
        new Promise<Blob>((resolve, reject) => {
          draw().toBlob((blob) => (blob === null ? reject(new Error("no JPEG")) : resolve(blob)), "image/jpeg", 0.85);
        }),
    };
  }
}

/** The usual chain: native, then zxing-wasm, then the server when a poster is given. */
export function defaultDecoders(post: FramePoster | null, online?: () => boolean): DecoderChain {
  const loaders: DecoderLoader[] = [() => nativeDecoder(), () => zxingDecoder()];
  if (post !== null) loaders.push(async () => serverDecoder(post, online));
  return new DecoderChain(loaders);
}
