// "Scan with camera": a toggle and a live preview any screen can mount. While on, codes read from
// the back camera go through the same scan stream as the wedge and typed codes. The camera is
// released when the toggle goes off, when the screen unmounts and while the page is hidden (a phone
// put in a pocket must not keep the camera and the battery busy); it comes back when the page does.

import type { JSX } from "preact";
import { useContext, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ServicesContext } from "../app/services";
import { messages, t } from "../i18n/i18n";
import { readMeta } from "../store/meta";
import { Button } from "../ui/kit";
import { CameraSession, defaultDecoders, fetchFramePoster, type CameraStatus, type DecoderChain } from "./camera";

const text = messages({
  start: { en: "Scan with camera", zh: "用摄像头扫码" },
  stop: { en: "Stop camera", zh: "关闭摄像头" },
  starting: { en: "Starting the camera…", zh: "正在打开摄像头…" },
  native: { en: "Point the camera at a barcode", zh: "请将摄像头对准条码" },
  zxing: { en: "Point the camera at a barcode", zh: "请将摄像头对准条码" },
  server: { en: "Point the camera at a barcode (read by the server)", zh: "请将摄像头对准条码（由服务器识别）" },
  noDecoder: {
    en: "This phone cannot read barcodes from the camera offline; connect to the network or use the scanner",
    zh: "本机离线时无法用摄像头识别条码，请联网或使用扫描枪",
  },
  denied: {
    en: "Camera access was refused: allow the camera for this app in the browser settings",
    zh: "摄像头权限被拒绝：请在浏览器设置中允许本应用使用摄像头",
  },
  noCamera: { en: "No camera found on this device", zh: "本设备没有可用的摄像头" },
  failed: { en: "The camera could not start: {message}", zh: "摄像头无法启动：{message}" },
});

function statusText(status: CameraStatus): string | null {
  switch (status.state) {
    case "off":
      return null;
    case "starting":
      return t(text.starting);
    case "scanning":
      return t(text[status.decoder]);
    case "no_decoder":
      return t(text.noDecoder);
    case "denied":
      return t(text.denied);
    case "no_camera":
      return t(text.noCamera);
    case "failed":
      return t(text.failed, { message: status.message });
  }
}

function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => globalThis.document?.visibilityState !== "hidden");
  useEffect(() => {
    const changed = (): void => setVisible(document.visibilityState !== "hidden");
    document.addEventListener("visibilitychange", changed);
    return () => document.removeEventListener("visibilitychange", changed);
  }, []);
  return visible;
}

export interface CameraScannerProps {
  /** Start with the camera on (default off: the person turns it on). */
  readonly initiallyOn?: boolean;
  /** Decoders to use (tests); default native → zxing-wasm → the server with the device's token. */
  readonly decoders?: () => DecoderChain;
  readonly getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
}

export function CameraScanner(props: CameraScannerProps): JSX.Element {
  const services = useContext(ServicesContext);
  const [on, setOn] = useState(props.initiallyOn ?? false);
  const [status, setStatus] = useState<CameraStatus>({ state: "off" });
  const visible = usePageVisible();
  const video = useRef<HTMLVideoElement>(null);
  const db = services?.db ?? null;
  const makeDecoders = props.decoders;
  // One chain per mounted scanner: a decoder that loaded (or failed) stays decided across restarts.
  const decoders = useMemo(() => {
    if (makeDecoders !== undefined) return makeDecoders();
    const poster =
      db === null ? null : fetchFramePoster(async () => (await readMeta(db, "device")).token);
    return defaultDecoders(poster);
  }, [makeDecoders, db]);
  const getUserMedia = props.getUserMedia;

  useEffect(() => {
    const el = video.current;
    if (!on || !visible || el === null) return undefined;
    const session = new CameraSession({
      decoders,
      onStatus: setStatus,
      ...(getUserMedia === undefined ? {} : { getUserMedia }),
    });
    void session.start(el);
    return () => session.stop();
  }, [on, visible, decoders, getUserMedia]);

  const message = on ? statusText(status) : null;
  const bad = status.state === "denied" || status.state === "no_camera" || status.state === "failed" || status.state === "no_decoder";
  return (
    <div class="camera-scanner" data-testid="camera-scanner">
      <Button kind="secondary" onClick={() => setOn(!on)} testId="camera-toggle">
        {t(on ? text.stop : text.start)}
      </Button>
      <video
        ref={video}
        data-testid="camera-preview"
        hidden={!on}
        muted
        playsInline
        autoPlay
        style={{ width: "100%", maxHeight: "40vh", objectFit: "cover", borderRadius: "10px", background: "#000" }}
      />
      {message !== null && (
        <p class={`notice notice-${bad ? "warn" : "info"}`} data-testid="camera-status">
          {message}
        </p>
      )}
    </div>
  );
}
