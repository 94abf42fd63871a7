// The runner's checks of the client's state after a push (answered or refused) and after a pull
// (README §5), phrased as what the device must show: each op's answer stored, nothing consumed by
// a refusal, a typed halt, the last page's cursor stored, no partial snapshot on screen, the local
// rows the vector expects.

import { isJsonObject, type JsonObject, type JsonValue } from "../../store/json";
import { readRow } from "../../store/entities";
import { readMeta } from "../../store/meta";
import { countUnacknowledged } from "../../store/outbox";
import { isAcknowledged, type AnswerStatus, type OutboxStatus } from "../../store/records";
import type { SyncErrorKind } from "../errors";
import type { PullOutcome } from "../pull";
import type { PushOutcome } from "../push";
import type { PushLink, ServedPage } from "./fake-server";
import type { Matcher } from "./matcher";
import { dumpLive, type VectorDevice } from "./vector-device";

/** Where an op stands in the outbox after each answer status (§5.3), written out independently of the client. */
const STORED_AS: Readonly<Record<AnswerStatus, OutboxStatus>> = {
  applied: "applied",
  applied_with_exception: "excepted",
  rejected: "rejected",
  held: "held",
  unknown: "unknown",
};

/** What the client shows after a refusal (SPEC.md §8) that no retry can get past. */
export const HALT_KIND: Readonly<Record<string, SyncErrorKind>> = {
  sequence_gap: "ops_lost", // not followed by a resend: the device no longer holds what was asked for
  malformed_batch: "client_bug",
  op_id_conflict: "client_bug",
  sequence_reused: "lost_state",
  protocol_unsupported: "upgrade",
  client_too_old: "upgrade",
  token_invalid: "auth",
  token_missing: "auth",
};

function get(obj: JsonObject, key: string): JsonValue | undefined {
  return obj[key];
}

function haltProblems(
  matcher: Matcher,
  where: string,
  expect: JsonObject,
  device: VectorDevice,
  outcome: PushOutcome | PullOutcome,
): string[] {
  const code = String(get(expect, "code"));
  const kind = HALT_KIND[code];
  if (outcome.kind !== "halted") return [`${where}: ended ${outcome.kind}, expected a halt for ${code}`];
  const problems: string[] = [];
  if (outcome.error.kind !== kind)
    problems.push(`${where}: halted with ${outcome.error.kind}, expected ${kind} for ${code}`);
  if (kind !== "ops_lost") {
    if (outcome.error.code !== code) problems.push(`${where}: error code ${outcome.error.code}, expected ${code}`);
    problems.push(...matcher.match(get(expect, "detail") ?? {}, outcome.error.detail, `${where}: error detail`));
  }
  if (device.client.state.get().halted?.kind !== kind) problems.push(`${where}: the state does not show the halt`);
  return problems;
}

/** An answered push: each op stored with its answer and status, the acknowledged seq, the pending count. */
export async function checkApplied(
  matcher: Matcher,
  link: PushLink,
  device: VectorDevice,
  outcome: string,
): Promise<string[]> {
  const problems: string[] = [];
  const where = `step ${link.step}`;
  if (outcome !== "done") problems.push(`${where}: push ended ${outcome}, expected done`);
  const results = get(link.expect, "results");
  for (const [i, op] of link.expected.ops.entries()) {
    const row = await device.db.get("outbox", op.seq);
    const wanted = Array.isArray(results) && isJsonObject(results[i]) ? results[i] : {};
    const status = (get(wanted, "status") ?? "applied") as AnswerStatus;
    if (row?.opId !== op.op_id) {
      problems.push(`${where}: no op ${op.op_id} at seq ${op.seq} in the outbox`);
      continue;
    }
    if (row.status !== STORED_AS[status])
      problems.push(`${where}: ${op.op_id} is ${row.status}, expected ${STORED_AS[status]}`);
    const answer = {
      status,
      code: get(wanted, "code") ?? "",
      replayed: get(wanted, "replayed") ?? false,
      result: get(wanted, "result") ?? {},
      exceptions: get(wanted, "exceptions") ?? [],
    };
    problems.push(
      ...matcher.match(answer, row.answer as unknown as JsonObject, `${where}: ${op.op_id}'s stored answer`),
    );
  }
  const feed = await readMeta(device.db, "feed");
  if (feed.ackedSeq !== device.fake.lastApplied)
    problems.push(`${where}: acked seq ${feed.ackedSeq}, the answer said ${device.fake.lastApplied}`);
  const pending = await countUnacknowledged(device.db);
  if (device.client.state.get().pending !== pending)
    problems.push(
      `${where}: the state shows ${device.client.state.get().pending} pending, the outbox holds ${pending}`,
    );
  return problems;
}

/** A refused push: a typed halt, and none of the batch's ops consumed (§5.1, §5.5, §10.3). */
export async function checkRefusal(
  matcher: Matcher,
  link: PushLink,
  device: VectorDevice,
  outcome: PushOutcome,
): Promise<string[]> {
  const where = `step ${link.step}`;
  const problems = haltProblems(matcher, where, link.expect, device, outcome);
  for (const op of link.expected.ops) {
    const row = await device.db.get("outbox", op.seq);
    if (row?.opId === op.op_id && isAcknowledged(row.status))
      problems.push(`${where}: ${op.op_id} was consumed by a refused push`);
  }
  return problems;
}

async function rowProblems(
  matcher: Matcher,
  device: VectorDevice,
  expect: JsonObject,
  where: string,
): Promise<string[]> {
  const problems: string[] = [];
  const store = get(expect, "store");
  for (const [name, wanted] of Object.entries(isJsonObject(store) ? store : {})) {
    const [entity = "", ...key] = matcher.key(name).split(":");
    const row = await readRow(device.db, entity, key.join(":"));
    if (wanted === null && row !== undefined)
      problems.push(`${where}: store ${name} holds ${JSON.stringify(row)}, expected none`);
    else if (wanted !== null && row === undefined) problems.push(`${where}: store ${name} is missing`);
    else if (wanted !== null) problems.push(...matcher.match(wanted, row, `${where}: store ${name}`));
  }
  const changes = get(expect, "changes");
  for (const change of Array.isArray(changes) ? changes.filter(isJsonObject) : []) {
    const key = matcher.key(change["key"] ?? "");
    const row = await readRow(device.db, String(change["entity"]), key);
    const name = `${String(change["entity"])}:${key}`;
    if (change["op"] === "del" && row !== undefined) problems.push(`${where}: ${name} was deleted but is still stored`);
    if (change["op"] === "put") {
      if (row === undefined) problems.push(`${where}: ${name} was put but is not stored`);
      else problems.push(...matcher.match(change["data"] ?? {}, row, `${where}: ${name}`));
    }
  }
  return problems;
}

/** The fake server's pages against the vector's summary (README §5.2): a check of the harness itself. */
function pageProblems(matcher: Matcher, pages: readonly ServedPage[], expect: JsonObject, where: string): string[] {
  const first = pages[0] as ServedPage;
  const last = pages[pages.length - 1] as ServedPage;
  const summary: JsonObject = {
    reset: first.reset,
    snapshot: first.snapshot,
    snapshot_complete: pages.some((page) => page.snapshotComplete),
    has_more: last.hasMore,
    last_applied_seq: last.lastApplied,
    resend_from: last.resendFrom,
  };
  const wanted = Object.fromEntries(Object.entries(expect).filter(([key]) => key in summary));
  return matcher.match(wanted, summary, `${where}: pages served`);
}

/** Runs one pull step and checks what the device holds afterwards. */
export async function checkPull(
  matcher: Matcher,
  device: VectorDevice,
  expect: JsonObject,
  index: number,
  pull: () => Promise<PullOutcome>,
  finish: () => { readonly pages: readonly ServedPage[]; readonly interrupted: boolean },
): Promise<string[]> {
  const where = `step ${index}`;
  const before = await dumpLive(device.db);
  const feedBefore = await readMeta(device.db, "feed");
  const outcome = await pull();
  const { pages, interrupted } = finish();
  if ((get(expect, "status") ?? 200) !== 200) return haltProblems(matcher, where, expect, device, outcome);
  const last = pages[pages.length - 1];
  if (last === undefined) return [`${where}: the client pulled nothing (${outcome.kind})`];
  const problems = pageProblems(matcher, pages, expect, where);
  device.cursor = last.cursor;
  const feed = await readMeta(device.db, "feed");
  if (feed.cursor !== last.cursor)
    problems.push(`${where}: the client stored cursor ${feed.cursor}, the last page gave ${last.cursor}`);
  const staging = pages.reduce((_open, page) => (page.snapshot ? !page.snapshotComplete : false), feedBefore.staging);
  if (feed.staging !== staging || device.client.state.get().snapshotInProgress !== staging) {
    problems.push(`${where}: snapshot in progress is ${feed.staging}, expected ${staging}`);
  }
  const wanted = interrupted ? "retry_later" : "done";
  if (outcome.kind !== wanted) problems.push(`${where}: pull ended ${outcome.kind}, expected ${wanted}`);
  if (staging) {
    if ((await dumpLive(device.db)) !== before)
      problems.push(`${where}: the live rows changed while a snapshot was unfinished`);
    if ("store" in expect || "changes" in expect)
      problems.push(`${where}: rows expected while the snapshot is unfinished`);
  } else {
    problems.push(...(await rowProblems(matcher, device, expect, where)));
  }
  if (last.resendFrom !== null) {
    const acked = Math.min(feedBefore.ackedSeq, last.resendFrom - 1);
    if (feed.ackedSeq !== acked)
      problems.push(`${where}: after resend_from the acked seq is ${feed.ackedSeq}, expected ${acked}`);
    const lost = (await device.db.getAll("outbox", IDBKeyRange.lowerBound(last.resendFrom))).filter((op) =>
      isAcknowledged(op.status),
    );
    if (lost.length > 0)
      problems.push(`${where}: ${lost.map((op) => op.opId).join(", ")} not queued again after resend_from`);
  }
  if (outcome.kind === "done" && device.client.state.get().lastSyncAt !== device.clock.now)
    problems.push(`${where}: last sync time not recorded`);
  return problems;
}
