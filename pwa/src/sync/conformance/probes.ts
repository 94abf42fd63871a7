// Vector steps that probe the server with requests no correct client sends (a broken or wiped
// client). The runner cannot make this client produce them through `enqueue`, so it writes the
// device's outbox the way the broken client would have, and checks that this client then sends
// exactly the vector's request and handles the server's refusal: stop pushing, keep every op,
// show a typed error. Every other step must come out of the client's own logic — a step that does
// not, and is not listed here, fails the test.

export type ProbeKind =
  /** The device's unacknowledged ops are replaced by the step's ops, written raw into the outbox. */
  | "rewrite"
  /** As `rewrite`, but the outbox refuses to hold the ops (unique `op_id` index): nothing is sent. */
  | "refused"
  /** As `rewrite`, but the client's batcher never sends these ops together (seqs not consecutive). */
  | "withheld"
  /** The phone's storage was wiped: a new database under the old device id and token. */
  | "wipe";

export interface Probe {
  readonly kind: ProbeKind;
  readonly why: string;
}

export const PROBES: Readonly<Record<string, Readonly<Record<number, Probe>>>> = {
  push_malformed_batch: {
    0: { kind: "withheld", why: "seq 3 right after seq 1: a batch is only ever a run of consecutive seqs" },
    1: { kind: "refused", why: "one op_id twice: the outbox's unique op_id index cannot hold that batch" },
    2: { kind: "rewrite", why: "a 5-character op_id: enqueue refuses ids outside 8–64 characters" },
    3: { kind: "rewrite", why: "seq 0: the outbox numbers from 1" },
    4: { kind: "rewrite", why: "the repaired batch (op 3 renumbered 2) sent by the fixed app" },
  },
  push_op_id_conflict: {
    1: { kind: "rewrite", why: "an applied op sent back with another payload: recorded ops are immutable" },
    2: { kind: "rewrite", why: "an applied op's id reused for a new op under seq 2" },
    3: { kind: "rewrite", why: "op 2 as it was recorded, after the corrupted rows are repaired" },
  },
  push_sequence_gap: {
    2: { kind: "rewrite", why: "op 5 recorded without an op 4: this client never skips a number" },
  },
  push_sequence_reused: {
    1: { kind: "wipe", why: "storage wiped, the old device id kept: numbering starts at 1 again (F14)" },
  },
};

export function probeOf(vector: string, step: number): Probe | undefined {
  return PROBES[vector]?.[step];
}
