// Runs a flow on a screen: one event at a time (a burst of scans is handled in arrival order, each
// seeing the state the previous one left), ops recorded before the new state is shown, and a sound
// for every outcome. A failed save keeps the old state and the step, so "Retry" records the very
// same ops (same op_ids: recorded once however often it is tried).

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { NewOp } from "../../sync/client";
import { beginTask } from "../../app/activity";
import { resolveScan } from "../../scan/resolve";
import type { Resolved } from "../../scan/resolved";
import { scanBus, type ScanEvent } from "../../scan/events";
import type { CangkuDb } from "../../store/schema";
import { feedback } from "../../ui/feedback";
import { notice, type Step, type StepNotice } from "./step-types";
import { stepText } from "./step-messages";

export interface FlowRunner<S> {
  readonly state: S;
  readonly notice: StepNotice | null;
  /** A step whose ops could not be stored: `retry` records them again. */
  readonly unsaved: boolean;
  readonly run: (transition: (state: S) => Step<S> | Promise<Step<S>>) => Promise<void>;
  readonly retry: () => Promise<void>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function useFlow<S>(initial: () => S, record: (op: NewOp) => Promise<unknown>): FlowRunner<S> {
  const [view, setView] = useState(() => ({
    state: initial(),
    notice: null as StepNotice | null,
    unsaved: false,
  }));
  const current = useRef<S>(view.state);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const failed = useRef<Step<S> | null>(null);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  const apply = useCallback(
    async (result: Step<S>): Promise<void> => {
      try {
        for (const op of result.ops) await record(op);
      } catch (error: unknown) {
        failed.current = result;
        if (alive.current) {
          setView({
            state: current.current,
            notice: notice("bad", stepText.notSaved, { error: messageOf(error) }),
            unsaved: true,
          });
        }
        feedback("bad");
        return;
      }
      failed.current = null;
      current.current = result.state;
      if (alive.current) setView({ state: result.state, notice: result.notice, unsaved: false });
      if (result.feedback !== null) feedback(result.feedback);
    },
    [record],
  );

  const enqueue = useCallback((job: () => Promise<void>): Promise<void> => {
    const next = queue.current.then(job, job);
    queue.current = next;
    return next;
  }, []);

  const run = useCallback(
    (transition: (state: S) => Step<S> | Promise<Step<S>>): Promise<void> =>
      enqueue(async () => {
        if (failed.current !== null) {
          // Nothing moves on until the unsaved step is stored: later events were computed on top of it.
          feedback("bad");
          return;
        }
        let result: Step<S>;
        try {
          result = await transition(current.current);
        } catch (error: unknown) {
          result = {
            state: current.current,
            ops: [],
            notice: notice("bad", stepText.failed, { error: messageOf(error) }),
            feedback: "bad",
          };
        }
        await apply(result);
      }),
    [apply, enqueue],
  );

  const retry = useCallback(
    (): Promise<void> =>
      enqueue(async () => {
        const pending = failed.current;
        if (pending !== null) await apply(pending);
      }),
    [apply, enqueue],
  );

  return { state: view.state, notice: view.notice, unsaved: view.unsaved, run, retry };
}

/**
 * Feeds every scan to `onScan` while the screen is mounted. Resolve it inside `run` (not here), so a
 * burst of scans is looked up and applied strictly in the order it arrived. Screens that count by
 * repeated scans also call `useAcceptRepeats` (src/scan/emitter.ts) in those steps.
 */
export function useScans(onScan: (event: ScanEvent) => void): void {
  const handler = useRef(onScan);
  handler.current = onScan;
  useEffect(() => scanBus.subscribe((event) => handler.current(event)), []);
}

/** The scan as the device's store knows it; a failed lookup reads as an unknown code. */
export async function resolveOrUnknown(db: CangkuDb, text: string): Promise<Resolved> {
  try {
    return await resolveScan(db, text);
  } catch {
    return { kind: "unknown", text, reason: { en: "Could not look it up", zh: "无法查询" } };
  }
}

/** Holds a task open (app updates wait, logout warns) while `open` is true and the screen is mounted. */
export function useActivity(key: string, open: boolean): void {
  useEffect(() => (open ? beginTask(key) : undefined), [key, open]);
}
