import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "../../store/test-support";
import type { CangkuDb } from "../../store/schema";
import type { Step } from "../common/step-types";
import { stepText } from "../common/step-messages";
import { labelOf, putLevel, putLocation, putLot, putSku, resolveIn } from "../common/step-test-support";
import {
  chooseCondition,
  confirmOtherReturnBin,
  returnsNext,
  returnsScan,
  returnsStart,
  setReturnQty,
  type ReturnsState,
} from "./returns-flow";
import { returnsText } from "./messages";

let db: CangkuDb;

beforeEach(async () => {
  db = await freshDb();
  await putLocation(db, { id: 1, code: "QA-01", type: "quarantine" });
  await putLocation(db, { id: 2, code: "S-01-01", type: "storage", walking_sequence: 1 });
  await putLocation(db, { id: 3, code: "P-01-01", type: "pick", walking_sequence: 9 });
  await putLocation(db, { id: 4, code: "S-01-02", type: "storage", walking_sequence: 2 });
  await putSku(db, { id: 1, code: "SKU-1" }, [{ code: "690001" }, { code: "690001-CASE", packQty: 6 }]);
  await putSku(db, { id: 3, code: "SKU-LOT", lot_controlled: true }, [{ code: "690003" }]);
  await putSku(db, { id: 4, code: "KIT-1", is_kit: true }, [{ code: "690004" }]);
  await putLevel(db, 2, 1, null, 10);
  await putLevel(db, 3, 1, null, 2);
});

async function scan(state: ReturnsState, text: string): Promise<Step<ReturnsState>> {
  return returnsScan(db, state, await resolveIn(db, text));
}

async function atCondition(...items: string[]): Promise<ReturnsState> {
  let state = (await scan(returnsStart(), "SF1234567890")).state;
  for (const item of items) state = (await scan(state, item)).state;
  const next = returnsNext(state);
  expect(next.state.step).toBe("condition");
  return next.state;
}

describe("returns", () => {
  it("restocks to the suggested pick bin, with repeats adding the pack", async () => {
    const ref = await scan(returnsStart(), "SF1234567890");
    expect(ref.notice?.text).toBe(returnsText.refChosen);
    const state = await atCondition("690001", "690001");
    const to = await chooseCondition(db, state, "restock");
    // Both bins hold SKU-1; the pick bin comes first for a restock.
    expect(to.state.suggestions.map((s) => s.location.code)).toEqual(["P-01-01", "S-01-01", "S-01-02"]);
    const done = await scan(to.state, "P-01-01");
    expect(done.ops.map((op) => [op.name, op.payload])).toEqual([
      [
        "returns.return_received",
        { sku_id: 1, qty: 2, to_location_id: 3, condition: "sellable", reference: "SF1234567890", lot_id: null },
      ],
    ]);
    expect(done.state).toMatchObject({ step: "item", reference: "SF1234567890", item: null });
  });

  it("asks before restocking to another bin", async () => {
    const to = await chooseCondition(db, await atCondition("690001"), "restock");
    const other = await scan(to.state, "S-01-02");
    expect(other.notice).toMatchObject({ tone: "warn", text: stepText.otherBin });
    expect(confirmOtherReturnBin(other.state).ops[0]?.payload).toMatchObject({ to_location_id: 4, condition: "sellable" });
  });

  it("sends damaged goods to quarantine", async () => {
    const done = await chooseCondition(db, await atCondition("690001-CASE"), "damaged");
    expect(done.ops[0]?.payload).toEqual({
      sku_id: 1,
      qty: 6,
      to_location_id: 1,
      condition: "damaged",
      reference: "SF1234567890",
      lot_id: null,
    });
    expect(done.notice?.text).toBe(returnsText.receivedDamaged);
  });

  it("records scrap as damaged (the server has no scrap condition)", async () => {
    const done = await chooseCondition(db, await atCondition("690001"), "scrap");
    expect(done.ops[0]?.payload).toMatchObject({ condition: "damaged", to_location_id: 1 });
    expect(done.notice).toMatchObject({ tone: "warn", text: returnsText.scrapAsDamaged });
  });

  it("asks for a bin for damaged goods when there is no quarantine bin", async () => {
    await db.delete("location", 1);
    const to = await chooseCondition(db, await atCondition("690001"), "damaged");
    expect(to.ops).toEqual([]);
    expect(to.state.step).toBe("to");
    const done = await scan(to.state, "S-01-02");
    expect(done.ops[0]?.payload).toMatchObject({ condition: "damaged", to_location_id: 4 });
  });

  it("takes the lot from the label, and warns when a lot-controlled item has none", async () => {
    const lot = await putLot(db, { id: 31, sku_id: 3, lot_number: "L31" });
    const ref = await scan(returnsStart(), "SF1234567890");
    const labelled = await returnsScan(db, ref.state, await resolveIn(db, "690003", labelOf("L31", null)));
    expect(labelled.state.item?.lot?.id).toBe(lot.id);
    const bare = await scan(ref.state, "690003");
    expect(bare.notice).toMatchObject({ tone: "warn", text: returnsText.noLot });
    expect(bare.state.step).toBe("qty");
    const qty = setReturnQty(bare.state, 3);
    const done = await chooseCondition(db, returnsNext(qty.state).state, "damaged");
    expect(done.ops[0]?.payload).toMatchObject({ sku_id: 3, qty: 3, lot_id: null });
  });

  it("refuses an item before the reference, a kit, an unknown code and a bin as an item", async () => {
    const early = await scan(returnsStart(), "690001");
    expect(early.feedback).toBe("bad");
    expect(early.notice?.text).toBe(returnsText.scanRefFirst);
    const ref = await scan(returnsStart(), "SF1234567890");
    expect((await scan(ref.state, "690004")).notice?.text).toBe(stepText.kit);
    expect((await scan(ref.state, "S-01-01")).notice?.text).toBe(stepText.expectedItem);
    expect((await scan(ref.state, "NOPE")).notice?.text).toBe(stepText.unknownCode);
  });
});
