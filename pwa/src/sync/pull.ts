// Pull (SPEC.md §6): pages of changes after the stored cursor until `has_more` is false, each page
// applied with its cursor in one IndexedDB transaction (store/apply-page.ts). A `reset` page starts
// a snapshot that is staged until complete. `resend_from` (§6.2, §9.5) puts the lost ops back in
// the outbox once the pull ends, so every page of one pull reports the same `acked_seq`.

import { readMeta, updateMeta } from "../store/meta";
import { applyPullPage } from "../store/apply-page";
import { reopenFrom } from "../store/outbox";
import { exchange, type SyncContext } from "./context";
import { DecodeError, decodeErrorBody, decodePullResponse } from "./decode";
import { errorFromBody, opsLostError, protocolError, type SyncError } from "./errors";
import { nodeOf } from "./hlc";
import { notRegistered } from "./push";
import { observeServerTime } from "./server-time";
import { MAX_PULL_LIMIT, type PullRequest, type PullResponse } from "./wire";

export const PULL_PATH = "/api/sync/pull";

export type PullOutcome =
  /** Pulled to the end (`has_more` false). */
  | { readonly kind: "done"; readonly pages: number }
  /** No answer or a transient refusal: the pages so far are kept; try again later. */
  | { readonly kind: "retry_later"; readonly pages: number; readonly error: SyncError; readonly retryInMs: number }
  | { readonly kind: "halted"; readonly pages: number; readonly error: SyncError };

/** The lowest `resend_from` the pages of one pull carried. */
interface ResendMark {
  from: number | null;
}

async function pages(ctx: SyncContext, limit: number, resend: ResendMark): Promise<PullOutcome> {
  const device = await readMeta(ctx.db, "device");
  if (device.deviceId === null || device.warehouseId === null) {
    return { kind: "halted", pages: 0, error: notRegistered() };
  }
  for (let count = 0; ;) {
    const feed = await readMeta(ctx.db, "feed");
    const body: PullRequest = {
      protocol: ctx.settings.protocol,
      device_id: device.deviceId,
      warehouse_id: device.warehouseId,
      cursor: feed.cursor,
      limit,
      acked_seq: feed.ackedSeq,
    };
    const result = await exchange(ctx, { method: "POST", path: PULL_PATH, body, token: device.token }, 1);
    if (result.kind === "failed")
      return { kind: "retry_later", pages: count, error: result.error, retryInMs: result.retryInMs };
    const { response } = result;
    if (response.status !== 200) {
      return { kind: "halted", pages: count, error: errorFromBody(decodeErrorBody(response.status, response.body)) };
    }
    let page: PullResponse;
    try {
      page = decodePullResponse(response.body);
    } catch (error: unknown) {
      if (error instanceof DecodeError) return { kind: "halted", pages: count, error: protocolError(error.message) };
      throw error;
    }
    const applied = await applyPullPage(ctx.db, {
      cursor: page.cursor,
      changes: page.changes,
      reset: page.reset,
      snapshot: page.snapshot,
      snapshotComplete: page.snapshot_complete,
      serverAppliedSeq: page.last_applied_seq,
      protocol: ctx.settings.protocol,
    });
    ctx.report({ snapshotInProgress: applied.staged && !applied.promoted });
    await observeServerTime(ctx.db, ctx.clock, nodeOf(device.deviceId), page.server_time);
    count++;
    if (page.resend_from !== null) resend.from = Math.min(resend.from ?? page.resend_from, page.resend_from);
    if (!page.has_more) return { kind: "done", pages: count };
  }
}

/** The server lost acknowledged ops from `from` on: queue them again, stop claiming them acked. */
async function resendLost(ctx: SyncContext, from: number): Promise<SyncError | null> {
  const reopening = await reopenFrom(ctx.db, from);
  await updateMeta(ctx.db, "feed", (feed) => ({ ...feed, ackedSeq: Math.min(feed.ackedSeq, from - 1) }));
  return reopening.missingFrom === null ? null : opsLostError(reopening.missingFrom);
}

export async function pullFeed(ctx: SyncContext, limit: number = ctx.settings.pageLimit): Promise<PullOutcome> {
  const resend: ResendMark = { from: null };
  const outcome = await pages(ctx, Math.max(1, Math.min(limit, MAX_PULL_LIMIT)), resend);
  if (resend.from === null) return outcome;
  const lost = await resendLost(ctx, resend.from);
  return lost === null || outcome.kind === "halted" ? outcome : { kind: "halted", pages: outcome.pages, error: lost };
}
