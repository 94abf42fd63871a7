// Sound and vibration on every scan: pickers look at the shelf, not the screen, so a good scan and
// a bad one must be told apart by ear and by hand. Tones are synthesised (no audio files to cache)
// and the AudioContext is created on the first user gesture, as browsers require.

export type FeedbackKind = "good" | "bad" | "done";

const TONES: Record<FeedbackKind, readonly (readonly [hz: number, ms: number])[]> = {
  good: [[1760, 70]],
  bad: [
    [220, 180],
    [0, 60],
    [220, 180],
  ],
  done: [
    [1320, 80],
    [1760, 120],
  ],
};

const VIBRATION: Record<FeedbackKind, number | number[]> = { good: 40, bad: [200, 80, 200], done: [60, 40, 60] };

let audio: AudioContext | null = null;
let muted = false;

/** Counts of feedback given, read by the end-to-end tests (sound cannot be heard headless). */
export const feedbackLog: FeedbackKind[] = [];

export function setMuted(value: boolean): void {
  muted = value;
}

function context(): AudioContext | null {
  if (audio !== null) return audio;
  const Ctor = (globalThis as { AudioContext?: typeof AudioContext }).AudioContext;
  if (Ctor === undefined) return null;
  try {
    audio = new Ctor();
  } catch {
    audio = null;
  }
  return audio;
}

function play(kind: FeedbackKind): void {
  const ctx = context();
  if (ctx === null) return;
  let at = ctx.currentTime;
  for (const [hz, ms] of TONES[kind]) {
    if (hz > 0) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = hz;
      osc.type = kind === "bad" ? "square" : "sine";
      gain.gain.value = 0.2;
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + ms / 1000);
    }
    at += ms / 1000;
  }
}

/** Beep and buzz; never throws (a phone without audio or vibration still works). */
export function feedback(kind: FeedbackKind): void {
  feedbackLog.push(kind);
  if (feedbackLog.length > 200) feedbackLog.splice(0, feedbackLog.length - 200);
  if (muted) return;
  try {
    play(kind);
  } catch {
    // no audio output: vibration and the screen still tell
  }
  try {
    globalThis.navigator?.vibrate?.(VIBRATION[kind]);
  } catch {
    // vibration unsupported
  }
}

/** Call from the first tap so later scans (which are not gestures) may play sound. */
export function unlockAudio(): void {
  const ctx = context();
  if (ctx !== null && ctx.state === "suspended") void ctx.resume();
}
