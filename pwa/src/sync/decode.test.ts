// Reading answers (SPEC.md §2): omitted fields take their defaults, wrong types are named.
import { describe, expect, test } from "vitest";
import { DecodeError, decodeErrorBody, decodePullResponse, decodePushResponse } from "./decode";

describe("decoding answers", () => {
  test("a push answer with its defaults omitted", () => {
    const answer = decodePushResponse({
      device_id: "d",
      last_applied_seq: 2,
      server_time: "2026-11-30T08:00:00Z",
      results: [{ op_id: "op-00000001", seq: 2, status: "held", code: "device_revoked" }],
      unknown_new_field: [1, 2],
    });
    expect(answer.protocol).toBe(0);
    expect(answer.results[0]).toEqual({
      op_id: "op-00000001",
      seq: 2,
      status: "held",
      code: "device_revoked",
      message: "",
      message_zh: "",
      result: {},
      exceptions: [],
      replayed: false,
    });
  });

  test("a pull page with its defaults omitted", () => {
    expect(decodePullResponse({ cursor: "c2.x", server_time: "" })).toEqual({
      protocol: 0,
      cursor: "c2.x",
      changes: [],
      has_more: false,
      reset: false,
      snapshot: false,
      snapshot_complete: false,
      last_applied_seq: 0,
      resend_from: null,
      server_time: "",
    });
  });

  test("wrong types are errors naming the field", () => {
    expect(() => decodePushResponse({ results: [{ op_id: "x", seq: "1", status: "applied" }] })).toThrow(
      /push.results\[0\].seq/,
    );
    expect(() => decodePushResponse({ results: [{ op_id: "x", seq: 1, status: "done" }] })).toThrow(DecodeError);
    expect(() => decodePullResponse({ cursor: "c", has_more: "yes" })).toThrow(/pull.has_more/);
    expect(() =>
      decodePullResponse({ cursor: "c", changes: [{ entity: "sku", key: "1", op: "put", data: [1] }] }),
    ).toThrow(/data/);
    expect(() => decodePullResponse({ changes: [] })).toThrow(/cursor/);
    expect(() => decodePullResponse(null)).toThrow(DecodeError);
  });

  test("error bodies: what can be read is read; a proxy's page gives an empty code", () => {
    expect(decodeErrorBody(409, { code: "sequence_gap", message: "gap", detail: { resend_from: 4 } })).toEqual({
      status: 409,
      code: "sequence_gap",
      message: "gap",
      message_zh: "",
      field: null,
      detail: { resend_from: 4 },
    });
    expect(decodeErrorBody(502, null).code).toBe("");
  });
});
