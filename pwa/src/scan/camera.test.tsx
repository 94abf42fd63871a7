// @vitest-environment happy-dom
// The camera's logic without a camera: which decoder is chosen (native only when it reports formats,
// then zxing, then the server), reporting a code once while it stays in view (or every second when
// counting by repeats), GS1 payloads made recognisable, and the camera released on stop, unmount
// and when the page is hidden.
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  CameraSession,
  DecoderChain,
  InViewGate,
  gs1Text,
  nativeDecoder,
  serverDecoder,
  type DecodedSymbol,
  type FrameDecoder,
} from "./camera";
import { CameraScanner } from "./CameraScanner";
import type { ScanEvent } from "./events";
import { formatOf } from "./zxing-decoder";

function fakeDecoder(name: FrameDecoder["name"], read: () => DecodedSymbol[] | Promise<DecodedSymbol[]>): FrameDecoder {
  return { name, minIntervalMs: 0, usable: () => true, decode: async () => read() };
}

describe("decoder choice", () => {
  test("BarcodeDetector is used only when it reports supported formats", async () => {
    const present = (formats: string[]) => ({
      BarcodeDetector: Object.assign(
        class {
          detect = async () => [{ rawValue: "6901234567892", format: "ean_13" }];
        },
        { getSupportedFormats: async () => formats },
      ),
    });
    expect(await nativeDecoder({})).toBeNull(); // absent (Firefox, desktop Chrome by default)
    expect(await nativeDecoder(present([]))).toBeNull(); // Linux Chrome with the flag: exposed, not implemented
    const native = await nativeDecoder(present(["ean_13", "qr_code", "aztec"]));
    expect(native?.name).toBe("native");
    const frame = { source: document.createElement("canvas"), imageData: () => new ImageData(1, 1), jpeg: async () => new Blob() };
    expect(await native?.decode(frame)).toEqual([{ text: "6901234567892", format: "ean_13" }]);
  });

  test("the chain loads the next decoder when one is unavailable or keeps failing", async () => {
    const zxing = fakeDecoder("zxing", () => {
      throw new Error("wasm trap");
    });
    const server = fakeDecoder("server", () => []);
    const loaded: string[] = [];
    const chain = new DecoderChain(
      [
        async () => (loaded.push("native"), null),
        async () => (loaded.push("zxing"), zxing),
        async () => (loaded.push("server"), server),
      ],
      2,
    );
    expect((await chain.current())?.name).toBe("zxing");
    expect(loaded).toEqual(["native", "zxing"]); // the server is not asked while zxing works
    chain.failed();
    expect((await chain.current())?.name).toBe("zxing");
    chain.failed();
    expect((await chain.current())?.name).toBe("server");
    chain.failed();
    chain.failed();
    expect((await chain.current())?.name).toBe("server"); // the last one left stays
  });

  test("the server decoder posts the JPEG, maps format names and marks GS1 by its AIM id", async () => {
    const posted: Blob[] = [];
    let online = true;
    const decoder = serverDecoder(
      async (jpeg) => {
        posted.push(jpeg);
        return {
          symbols: [
            { text: "0109501101530003\x1d10AB", format: "datamatrix", aim: "]d2" },
            { text: "036000291452", format: "upca", aim: "]E0" },
          ],
        };
      },
      () => online,
    );
    const jpeg = new Blob(["x"], { type: "image/jpeg" });
    const frame = { source: document.createElement("canvas"), imageData: () => new ImageData(1, 1), jpeg: async () => jpeg };
    expect(await decoder.decode(frame)).toEqual([
      { text: "]d20109501101530003\x1d10AB", format: "data_matrix" },
      { text: "036000291452", format: "upc_a" },
    ]);
    expect(posted).toEqual([jpeg]);
    expect(decoder.usable()).toBe(true);
    online = false;
    expect(decoder.usable()).toBe(false);
  });

  test("GS1 text keeps its identifier or gets a leading FNC1; other text is left alone", () => {
    expect(gs1Text("0109501101530003", "]C1", true)).toBe("]C10109501101530003");
    expect(gs1Text("0109501101530003", null, true)).toBe("\x1d0109501101530003");
    expect(gs1Text("HZ-A-01-03", "]C0", false)).toBe("HZ-A-01-03");
    expect(formatOf("EAN13")).toBe("ean_13");
    expect(formatOf("QRCodeModel2")).toBe("qr_code");
    expect(formatOf("ITF14")).toBe("itf");
  });
});

describe("a code in view", () => {
  test("is reported once while it stays in view, again after it left", () => {
    const gate = new InViewGate({ goneAfterMs: 700 });
    expect(gate.admit(["A"], 0, false)).toEqual(["A"]);
    expect(gate.admit(["A"], 100, false)).toEqual([]);
    expect(gate.admit([], 400, false)).toEqual([]); // a frame the decoder missed
    expect(gate.admit(["A", "B"], 700, false)).toEqual(["B"]);
    expect(gate.admit(["A"], 3_000, false)).toEqual(["A"]); // it had left the view
  });

  test("is reported every second while it stays in view when repeats are wanted", () => {
    const gate = new InViewGate();
    const reported = [0, 250, 500, 750, 1_000, 1_250, 1_500, 1_750, 2_000].filter(
      (at) => gate.admit(["A"], at, true).length > 0,
    );
    expect(reported).toEqual([0, 1_000, 2_000]);
  });
});

describe("the camera session", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function fakeStream(): { stream: MediaStream; stopped: () => boolean } {
    let stopped = false;
    const track = { stop: () => (stopped = true) };
    return { stream: { getTracks: () => [track] } as unknown as MediaStream, stopped: () => stopped };
  }

  function fakeVideo(): HTMLVideoElement {
    return {
      srcObject: null,
      muted: false,
      playsInline: false,
      readyState: 4,
      videoWidth: 640,
      videoHeight: 480,
      play: async () => undefined,
    } as unknown as HTMLVideoElement;
  }

  test("asks for the back camera, decodes frames, reports each code once, and stops the camera", async () => {
    const { stream, stopped } = fakeStream();
    const asked: MediaStreamConstraints[] = [];
    const scans: ScanEvent[] = [];
    let clock = 0;
    let inView: DecodedSymbol[] = [{ text: "6901234567892", format: "ean_13" }];
    const session = new CameraSession({
      decoders: new DecoderChain([async () => fakeDecoder("zxing", () => inView)]),
      getUserMedia: async (constraints) => (asked.push(constraints), stream),
      emit: (event) => (scans.push(event), true),
      repeats: () => false,
      now: () => clock,
    });
    const statuses: string[] = [];
    const video = fakeVideo();
    const watched = new CameraSession({
      decoders: new DecoderChain([async () => null]),
      getUserMedia: async () => fakeStream().stream,
      onStatus: (s) => statuses.push(s.state),
    });
    await watched.start(fakeVideo());
    watched.stop();
    expect(statuses).toEqual(["starting", "no_decoder", "off"]);

    await session.start(video);
    expect(asked[0]?.video).toMatchObject({ facingMode: "environment" });
    expect(video.srcObject).toBe(stream);
    for (let i = 0; i < 10; i++) {
      clock += 50;
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(scans.map((s) => [s.text, s.source, s.format])).toEqual([["6901234567892", "camera", "ean_13"]]);
    inView = [];
    clock += 2_000;
    await vi.advanceTimersByTimeAsync(50);
    inView = [{ text: "6901234567892", format: "ean_13" }];
    clock += 50;
    await vi.advanceTimersByTimeAsync(50);
    expect(scans).toHaveLength(2); // it left the view and came back
    session.stop();
    expect(stopped()).toBe(true);
    expect(video.srcObject).toBeNull();
  });

  test("a refused permission says so", async () => {
    const statuses: string[] = [];
    const session = new CameraSession({
      decoders: new DecoderChain([]),
      getUserMedia: async () => {
        throw Object.assign(new Error("Permission denied"), { name: "NotAllowedError" });
      },
      onStatus: (s) => statuses.push(s.state),
    });
    await session.start(fakeVideo());
    expect(statuses).toEqual(["starting", "denied"]);
  });
});

describe("<CameraScanner>", () => {
  test("the toggle starts the camera; unmounting and hiding the page release it", async () => {
    const streams: { stopped: boolean }[] = [];
    const getUserMedia = async (): Promise<MediaStream> => {
      const state = { stopped: false };
      streams.push(state);
      // happy-dom's <video> only takes its own MediaStream.
      return Object.assign(new MediaStream(), { getTracks: () => [{ stop: () => (state.stopped = true) }] });
    };
    HTMLMediaElement.prototype.play = async () => undefined;
    const root = document.createElement("div");
    document.body.append(root);
    const decoders = () => new DecoderChain([async () => fakeDecoder("zxing", () => [])]);
    await act(async () => render(<CameraScanner decoders={decoders} getUserMedia={getUserMedia} />, root));
    expect(root.querySelector("[data-testid=camera-preview]")?.hasAttribute("hidden")).toBe(true);
    await act(async () => root.querySelector<HTMLButtonElement>("[data-testid=camera-toggle]")?.click());
    await act(async () => new Promise((resolve) => setTimeout(resolve, 10)));
    expect(streams).toHaveLength(1);
    expect(root.querySelector("[data-testid=camera-status]")?.textContent).not.toBe("");

    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    await act(async () => void document.dispatchEvent(new Event("visibilitychange")));
    expect(streams[0]?.stopped).toBe(true);
    Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
    await act(async () => void document.dispatchEvent(new Event("visibilitychange")));
    await act(async () => new Promise((resolve) => setTimeout(resolve, 10)));
    expect(streams).toHaveLength(2); // back on when the page is back

    await act(async () => render(null, root));
    expect(streams[1]?.stopped).toBe(true);
    root.remove();
  });
});
