// The shape every RF flow returns for one event (a scan, a tap): the next state, the ops to record
// before the screen may show it (SPEC.md §4.1: confirm only once the op is stored), what to tell the
// person and how it should sound. Flows stay pure data in, data out, so they are tested without a DOM.

import type { Bilingual, Params } from "../../i18n/i18n";
import type { NewOp } from "../../sync/client";
import type { JsonObject } from "../../store/json";
import type { FeedbackKind } from "../../ui/feedback";

export type NoticeTone = "good" | "bad" | "info" | "warn";

export interface StepNotice {
  readonly tone: NoticeTone;
  readonly text: Bilingual;
  readonly params?: Params;
}

export interface Step<S> {
  readonly state: S;
  /** Recorded in order before `state` is shown; each carries its op_id so a retry records it once. */
  readonly ops: readonly NewOp[];
  readonly notice: StepNotice | null;
  readonly feedback: FeedbackKind | null;
}

export function notice(tone: NoticeTone, text: Bilingual, params?: Params): StepNotice {
  return params === undefined ? { tone, text } : { tone, text, params };
}

/** A step that changes the state and says so; `bad` notices sound bad, the others as given. */
export function step<S>(
  state: S,
  said: StepNotice | null,
  options: { ops?: readonly NewOp[]; feedback?: FeedbackKind | null } = {},
): Step<S> {
  const sound = options.feedback !== undefined ? options.feedback : said === null ? null : said.tone === "bad" ? "bad" : "good";
  return { state, ops: options.ops ?? [], notice: said, feedback: sound };
}

/** A refused scan or tap: state unchanged, bad sound, and what was expected. */
export function refuse<S>(state: S, text: Bilingual, params?: Params): Step<S> {
  return step(state, notice("bad", text, params), { feedback: "bad" });
}

/** An op with its op_id fixed now, so recording it again after a failure cannot post it twice. */
export function newOp(name: string, payload: JsonObject): NewOp {
  return { name, payload, opId: crypto.randomUUID() };
}
