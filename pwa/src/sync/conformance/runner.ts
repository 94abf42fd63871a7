// Replays one sync conformance vector against this client (sync/vectors/README.md). Each device of
// the vector gets its own database and SyncClient; a fake server holds the vector's expected
// answers. For every step the client is made to do what the vector's device does — record the new
// ops (enqueue), push, pull — and the fake server checks that each request is exactly the vector's;
// then the client's state (outbox statuses and stored answers, acknowledged seq, cursor, local
// rows, typed errors) is checked against the expectation.
//
// Where the vector's device does something a correct client only does after a fault, the fault is
// made to happen, never the request: a lost answer (the client retries by itself), a lost
// acknowledgement (F3), a broken clock's stamp, a cursor from another server, a belief in more
// acknowledged ops (F5), a wiped phone, a newer app build (another protocol). Requests only a broken
// client sends are listed in probes.ts. The `final` section is the server's state: not checked here.

import { isJsonObject, type JsonObject, type JsonValue } from "../../store/json";
import { readMeta } from "../../store/meta";
import { nextBatch, opById } from "../../store/outbox";
import { isAcknowledged } from "../../store/records";
import { PUSH_BATCH_SIZE, type PushRequest, type WireOp } from "../wire";
import { FakeServer, type FakeDevice, type PushLink } from "./fake-server";
import { FakeWorld } from "./fake-world";
import { Matcher } from "./matcher";
import { probeOf } from "./probes";
import { Refs, parseOffset } from "./refs";
import { checkApplied, checkPull, checkRefusal } from "./runner-checks";
import { loseAck, openDevice, replaceClient, rewriteOutbox, setFeed, wipe, type VectorDevice } from "./vector-device";
import {
  isPull,
  isPush,
  isRepeat,
  pageBudget,
  type PullStep,
  type PushStep,
  type Step,
  type Vector,
} from "./vector-types";
import { assignRefs, buildWireOps } from "./wire-ops";

const DAY = 86_400_000;

export interface VectorReport {
  /** Faults made to happen and probes used, step by step (shown when a vector fails). */
  readonly notes: string[];
  readonly problems: string[];
  /** Steps handled as broken-client probes. */
  readonly probes: number[];
}

function get(obj: JsonObject | undefined, key: string): JsonValue | undefined {
  return obj === undefined ? undefined : obj[key];
}

interface Link {
  readonly step: number;
  lose: boolean;
}

export class VectorRun {
  readonly report: VectorReport = { notes: [], problems: [], probes: [] };
  readonly #vector: Vector;
  readonly #base = Math.floor(Date.now() / 1000) * 1000;
  readonly #refs = new Refs();
  readonly #matcher = new Matcher();
  readonly #server: FakeServer;
  readonly #devices = new Map<string, VectorDevice>();
  readonly #wire: WireOp[][];
  readonly #consumed = new Set<number>();

  constructor(vector: Vector) {
    this.#vector = vector;
    assignRefs(vector.setup, this.#refs);
    this.#server = new FakeServer(new FakeWorld(vector.setup, this.#refs), this.#matcher);
    this.#wire = buildWireOps(vector, this.#refs, this.#base);
  }

  async run(): Promise<VectorReport> {
    try {
      await this.#openDevices();
      await this.#prelude();
      this.report.problems.push(...this.#server.problems.splice(0).map((p) => `before the vector: ${p}`));
      for (const [index, step] of this.#vector.steps.entries()) {
        if (this.#consumed.has(index)) continue;
        await this.#step(index, step);
        this.report.problems.push(...this.#server.problems.splice(0).map((p) => `while running step ${index}: ${p}`));
      }
    } finally {
      for (const device of this.#devices.values()) device.db.close();
    }
    return this.report;
  }

  async #openDevices(): Promise<void> {
    for (const entry of this.#vector.setup.devices) {
      const warehouseId = this.#refs.int(entry.warehouse);
      const clock = { now: this.#base - DAY }; // registered a day before the base time (README §2)
      const fake: FakeDevice = {
        ref: entry.ref,
        id: String(this.#refs.id(entry.ref)),
        token: `token-${entry.ref}`,
        warehouseId,
        lastApplied: 0,
        now: () => clock.now,
      };
      this.#devices.set(entry.ref, await openDevice(fake, warehouseId, clock, this.#server));
    }
  }

  #device(ref: string | undefined): VectorDevice {
    const device = this.#devices.get(ref ?? "");
    if (device === undefined) throw new Error(`unknown device ${ref}`);
    return device;
  }

  #expectation(step: Step): JsonObject {
    const expect = "expect" in step && step.expect !== undefined ? this.#refs.resolve(step.expect) : {};
    return isJsonObject(expect) ? expect : {};
  }

  #pushBody(device: VectorDevice, step: PushStep | null, ops: WireOp[]): PushRequest {
    const warehouse = this.#refs.resolve(step?.push.warehouse_id ?? device.believedWarehouse);
    return {
      protocol: step?.push.protocol ?? device.protocol,
      device_id: device.fake.id,
      warehouse_id: typeof warehouse === "number" ? warehouse : Number.NaN,
      client_version: step?.push.client_version ?? device.clientVersion,
      ops,
    };
  }

  // --- steps -----------------------------------------------------------------------------------

  async #step(index: number, step: Step): Promise<void> {
    if (isPush(step)) await this.#push(index, step);
    else if (isPull(step)) await this.#pull(index, step);
    else if (step.action === "cancel_task") this.#server.world.cancelTask(this.#refs.int(step.task ?? ""));
    else if (step.action === "move_device")
      this.#device(step.device).fake.warehouseId = this.#refs.int(step.warehouse ?? "");
    // revoke_device: seen by the device only through the answers that follow.
  }

  /** A device's next step is the very next one of the vector, pushing again. */
  #nextPush(index: number, device: string): PushStep | null {
    const next = this.#vector.steps[index + 1];
    return next !== undefined && isPush(next) && next.device === device ? next : null;
  }

  /**
   * The steps one `push()` of the client runs through: an answer followed by a push of exactly the
   * same ops was lost on the way (the client retries by itself, F1); a `sequence_gap` followed by
   * a push from `resend_from` is the client resending from its retained log (§5.4).
   */
  #chain(index: number, device: string): Link[] {
    const links: Link[] = [{ step: index, lose: false }];
    for (;;) {
      const current = links[links.length - 1] as Link;
      const next = this.#nextPush(current.step, device);
      if (next === null) return links;
      const expect = this.#expectation(this.#vector.steps[current.step] as Step);
      const status = get(expect, "status") ?? 200;
      const ids = (this.#wire[current.step] ?? []).map((op) => op.op_id);
      const exactRepeat =
        next.push.ops.length === ids.length &&
        next.push.ops.every((spec, i) => isRepeat(spec) && Object.keys(spec).length === 1 && spec.repeat === ids[i]);
      const resendFrom = get(
        isJsonObject(get(expect, "detail")) ? (get(expect, "detail") as JsonObject) : undefined,
        "resend_from",
      );
      if (status === 200 && exactRepeat) current.lose = true;
      else if (!(get(expect, "code") === "sequence_gap" && this.#wire[current.step + 1]?.[0]?.seq === resendFrom))
        return links;
      links.push({ step: current.step + 1, lose: false });
    }
  }

  /** Ops a gap's resend carries that the device had pushed before the vector (the server lost them in a restore). */
  async #prelude(): Promise<void> {
    for (const [index, step] of this.#vector.steps.entries()) {
      if (!isPush(step) || get(this.#expectation(step), "code") !== "sequence_gap") continue;
      const next = this.#nextPush(index, step.device);
      const firstSeq = this.#wire[index]?.[0]?.seq ?? 0;
      if (next === null) continue;
      const seeds = next.push.ops.flatMap((spec, i) => {
        const op = this.#wire[index + 1]?.[i];
        return !isRepeat(spec) && op !== undefined && op.seq < firstSeq ? [{ spec, op }] : [];
      });
      if (seeds.length === 0) continue;
      const device = this.#device(step.device);
      for (const { spec, op } of seeds) await this.#record(device, spec.at, spec.hlc, op);
      const ops = seeds.map(({ op }) => op);
      const expect = { results: ops.map(() => ({ status: "applied" })) };
      this.#server.expectPushes([
        { step: -1, device: device.fake, expected: this.#pushBody(device, null, ops), expect, lose: false },
      ]);
      const outcome = await device.client.push();
      if (outcome.kind !== "done") this.report.problems.push(`prelude: the seeding push ended ${outcome.kind}`);
      device.fake.lastApplied = 0;
      this.report.notes.push(
        `before the vector ${device.ref} pushed ${ops.map((op) => op.op_id).join(", ")}; the server then lost them (restored from a backup, F5)`,
      );
    }
  }

  /** The device records an op at its event time: `enqueue`, with the clock set to `at`. */
  async #record(device: VectorDevice, at: string, rawHlc: string | undefined, op: WireOp): Promise<void> {
    device.clock.now = this.#base + parseOffset(at);
    device.brokenClock.next = rawHlc ?? null;
    const recorded = await device.client.enqueue({
      opId: op.op_id,
      name: op.name,
      version: op.version,
      payload: op.payload,
    });
    if (recorded.seq !== op.seq || recorded.hlc !== op.hlc || recorded.wallTime !== op.wall_time) {
      this.report.problems.push(
        `${op.op_id}: the client recorded seq ${recorded.seq} ${recorded.hlc} ${recorded.wallTime}, the vector has seq ${op.seq} ${op.hlc} ${op.wall_time}`,
      );
    }
  }

  /** Brings the outbox to what the step sends, through the client wherever a correct client would get there. */
  async #prepare(index: number, step: PushStep, device: VectorDevice): Promise<boolean> {
    const ops = this.#wire[index] ?? [];
    const probe = probeOf(this.#vector.name, index);
    if (probe !== undefined) {
      this.report.probes.push(index);
      this.report.notes.push(`step ${index}: broken-client probe (${probe.kind}): ${probe.why}`);
      if (probe.kind === "wipe") await wipe(device, this.#server);
      else {
        const written = await rewriteOutbox(device, ops);
        if (written !== (probe.kind === "refused" ? "refused" : "written")) {
          this.report.problems.push(
            `step ${index}: the outbox ${written === "refused" ? "refused" : "accepted"} the probe's ops`,
          );
        }
        if (probe.kind === "withheld") await this.#checkWithheld(index, device, ops);
        return written === "written" && probe.kind === "rewrite";
      }
    }
    for (const [i, spec] of step.push.ops.entries()) {
      const op = ops[i] as WireOp;
      if (isRepeat(spec)) {
        const held = await opById(device.db, spec.repeat);
        if (Object.keys(spec).length > 1 || held === undefined) {
          this.report.problems.push(
            `step ${index}: ${spec.repeat} is changed or unknown: a broken-client step, list it in probes.ts`,
          );
        } else if (isAcknowledged(held.status)) {
          await loseAck(device, held.seq);
          this.report.notes.push(`step ${index}: ${spec.repeat}'s acknowledgement was never stored (app killed, F3)`);
        }
        continue;
      }
      const nextSeq = (await readMeta(device.db, "clock")).nextSeq;
      if (op.seq !== nextSeq) {
        this.report.problems.push(
          `step ${index}: ${op.op_id} has seq ${op.seq}, the client's next is ${nextSeq}: list the step in probes.ts`,
        );
        continue;
      }
      if (spec.hlc !== undefined)
        this.report.notes.push(`step ${index}: ${op.op_id} is stamped ${spec.hlc} by a broken clock (F8)`);
      await this.#record(device, spec.at, spec.hlc, op);
    }
    return true;
  }

  /** The client's next batch is a run of consecutive seqs, so the vector's batch never leaves it. */
  async #checkWithheld(index: number, device: VectorDevice, ops: readonly WireOp[]): Promise<void> {
    const batch = (await nextBatch(device.db, PUSH_BATCH_SIZE)).map((op) => op.seq);
    const consecutive = batch.every((seq, i) => i === 0 || seq === (batch[i - 1] ?? 0) + 1);
    if (!consecutive || batch.length >= ops.length) {
      this.report.problems.push(`step ${index}: the client would send seqs ${batch.join(", ")} of the broken outbox`);
    }
  }

  async #push(index: number, step: PushStep): Promise<void> {
    const device = this.#device(step.device);
    const protocol = step.push.protocol ?? 1;
    const clientVersion = step.push.client_version ?? "vectors";
    if (protocol !== device.protocol || clientVersion !== device.clientVersion) {
      await replaceClient(device, this.#server, protocol, clientVersion);
      this.report.notes.push(`step ${index}: ${device.ref} runs an app build speaking protocol ${protocol}`);
    }
    device.client.resume(); // whatever stopped the last push, the person has dealt with it
    if (!(await this.#prepare(index, step, device))) return; // the outbox refused a broken batch: nothing to send
    const chain = this.#chain(index, step.device);
    const links: PushLink[] = chain.map((link) => ({
      step: link.step,
      device: device.fake,
      expected: this.#pushBody(device, this.#vector.steps[link.step] as PushStep, this.#wire[link.step] ?? []),
      expect: this.#expectation(this.#vector.steps[link.step] as Step),
      lose: link.lose,
    }));
    for (const link of chain.slice(1)) this.#consumed.add(link.step);
    const sleepsBefore = device.sleeps.length;
    this.#server.expectPushes(links);
    const outcome = await device.client.push();
    const problems = this.report.problems;
    const unsent = this.#server.unsentPushes().map((link) => link.step);
    if (unsent.length > 0)
      problems.push(`step ${index}: the client never sent the push of step(s) ${unsent.join(", ")} (${outcome.kind})`);
    const lost = chain.filter((link) => link.lose).length;
    const waits = device.sleeps.slice(sleepsBefore);
    if (waits.length !== lost || waits.some((ms) => ms !== 1000))
      problems.push(
        `step ${index}: retries waited ${JSON.stringify(waits)}, expected 1 s for each of ${lost} lost answer(s)`,
      );
    if (lost > 0)
      this.report.notes.push(`step ${index}: the answer was lost after commit; the client retried by itself (F1)`);
    const last = links[links.length - 1] as PushLink;
    if ((get(last.expect, "status") ?? 200) !== 200) {
      problems.push(...(await checkRefusal(this.#matcher, last, device, outcome)));
      return;
    }
    problems.push(...(await checkApplied(this.#matcher, last, device, outcome.kind)));
    device.acked = Math.max(device.acked, device.fake.lastApplied); // README §4.3: acked_seq's default
  }

  async #pull(index: number, step: PullStep): Promise<void> {
    const device = this.#device(step.device);
    const spec = step.pull;
    const expect = this.#expectation(step);
    const firstCursor = "cursor" in spec ? this.#refs.resolve(spec.cursor ?? null) : device.cursor;
    const feed = await readMeta(device.db, "feed");
    if ("cursor" in spec && feed.cursor !== firstCursor) {
      if (firstCursor === null) {
        await device.client.requestSnapshot();
        this.report.notes.push(`step ${index}: a fresh snapshot was asked for (requestSnapshot)`);
      } else {
        await setFeed(device, { cursor: String(firstCursor) });
        this.report.notes.push(`step ${index}: the device holds a cursor this server never issued (I11)`);
      }
    }
    const ackedSeq = spec.acked_seq ?? device.acked;
    if (spec.acked_seq !== undefined && feed.ackedSeq !== spec.acked_seq) {
      await setFeed(device, { ackedSeq: spec.acked_seq });
      this.report.notes.push(
        `step ${index}: the device believes ops up to ${spec.acked_seq} acknowledged (the server was restored, F5)`,
      );
    }
    const warehouse = this.#refs.resolve(spec.warehouse_id ?? device.believedWarehouse);
    this.#server.expectPull({
      step: index,
      device: device.fake,
      firstCursor: typeof firstCursor === "string" ? firstCursor : null,
      limit: spec.limit ?? 1000,
      ackedSeq,
      warehouseId: typeof warehouse === "number" ? warehouse : Number.NaN,
      budget: pageBudget(spec.pages),
      expect,
    });
    const problems = await checkPull(
      this.#matcher,
      device,
      expect,
      index,
      () => device.client.pull(spec.limit === undefined ? {} : { limit: spec.limit }),
      () => this.#server.finishPull(),
    );
    this.report.problems.push(...problems);
  }
}

export async function runVector(vector: Vector): Promise<VectorReport> {
  return new VectorRun(vector).run();
}
