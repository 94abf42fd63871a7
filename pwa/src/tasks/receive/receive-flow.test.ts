import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "../../store/test-support";
import type { CangkuDb } from "../../store/schema";
import { NetworkError } from "../../sync/transport";
import { ApiError } from "../../app/api";
import type { Step } from "../common/step-types";
import { stepText } from "../common/step-messages";
import { labelOf, putLocation, putSku, resolveIn } from "../common/step-test-support";
import {
  chooseDock,
  decideQc,
  receiveNext,
  receiveScan,
  receiveStart,
  setLotFields,
  setReceiveQty,
  withoutPo,
  type PoInfo,
  type ReceiveContext,
  type ReceiveState,
} from "./receive-flow";
import { receiveText } from "./messages";
import { poLoader } from "./po-api";

const PO: PoInfo = {
  id: 77,
  code: "PO-2026-0001",
  status: "open",
  lines: [
    { sku_id: 1, sku_code: "SKU-1", qty_ordered: 10, qty_received: 4, qty_outstanding: 6, qty_allowed: 11 },
    { sku_id: 3, sku_code: "SKU-LOT", qty_ordered: 5, qty_received: 0, qty_outstanding: 5, qty_allowed: 5 },
  ],
};

let db: CangkuDb;
let ctx: ReceiveContext;

beforeEach(async () => {
  db = await freshDb();
  ctx = { db, loadPo: async (code) => (code.toUpperCase() === PO.code ? PO : null) };
  await putLocation(db, { id: 1, code: "RCV-01", type: "receiving" });
  await putLocation(db, { id: 2, code: "QA-01", type: "quarantine" });
  await putLocation(db, { id: 3, code: "A-01-01", type: "storage" });
  await putSku(db, { id: 1, code: "SKU-1" }, [{ code: "690001" }, { code: "690001-CASE", packQty: 12 }]);
  await putSku(db, { id: 2, code: "SKU-2" }, [{ code: "690002" }]);
  await putSku(db, { id: 3, code: "SKU-LOT", lot_controlled: true, expiry_controlled: true }, [{ code: "690003" }]);
  await putSku(db, { id: 4, code: "KIT-1", is_kit: true }, [{ code: "690004" }]);
});

async function scan(state: ReceiveState, text: string, c: ReceiveContext = ctx): Promise<Step<ReceiveState>> {
  return receiveScan(c, state, await resolveIn(db, text));
}

async function atPo(): Promise<ReceiveState> {
  const started = await receiveStart(db, null);
  expect(started.state.step).toBe("po");
  return started.state;
}

describe("dock", () => {
  it("is the only receiving bin, or the one this phone remembers, or chosen", async () => {
    expect((await receiveStart(db, null)).state.dock?.code).toBe("RCV-01");
    await putLocation(db, { id: 5, code: "RCV-02", type: "receiving" });
    expect((await receiveStart(db, 5)).state.dock?.code).toBe("RCV-02");
    const choose = await receiveStart(db, null);
    expect(choose.state.step).toBe("dock");
    const refused = await scan(choose.state, "A-01-01");
    expect(refused.feedback).toBe("bad");
    expect(refused.notice?.text).toBe(receiveText.notADock);
    const chosen = await chooseDock(db, choose.state, (await db.get("location", 5))!);
    expect(chosen.state).toMatchObject({ step: "po", dock: { code: "RCV-02" } });
  });
});

describe("with a purchase order loaded online", () => {
  it("receives an item on the PO to the dock, with repeats adding the pack quantity", async () => {
    const po = await scan(await atPo(), "PO-2026-0001");
    expect(po.notice?.text).toBe(receiveText.poLoaded);
    const item = await scan(po.state, "690001");
    expect(item.notice?.text).toBe(receiveText.outstanding);
    expect(item.notice?.params).toMatchObject({ outstanding: 6, ordered: 10 });
    const more = await scan(item.state, "690001");
    expect(more.state.item?.qty).toBe(2);
    const qc = receiveNext(more.state);
    expect(qc.state.step).toBe("qc");
    const done = await decideQc(db, qc.state, "pass");
    expect(done.ops.map((op) => [op.name, op.payload])).toEqual([
      [
        "inbound.item_received",
        {
          sku_id: 1,
          qty: 2,
          to_location_id: 1,
          purchase_order_id: 77,
          lot_number: null,
          manufactured_on: null,
          expires_on: null,
        },
      ],
    ]);
    expect(done.state).toMatchObject({ step: "item", item: null, receivedHere: { "1": 2 } });
    expect(done.notice?.text).toBe(receiveText.received);
  });

  it("warns about an item not on the PO and about more than it allows", async () => {
    const po = await scan(await atPo(), "PO-2026-0001");
    const stranger = await scan(po.state, "690002");
    expect(stranger.feedback).toBe("bad");
    expect(stranger.notice).toMatchObject({ tone: "warn", text: receiveText.notOnPo });
    expect(stranger.state.step).toBe("qty");

    const cases = await scan(po.state, "690001-CASE");
    const over = receiveNext(cases.state);
    expect(over.notice).toMatchObject({ tone: "warn", text: receiveText.overAllowance, params: { over: 5 } });
  });

  it("refuses an unknown PO number and an item before the PO", async () => {
    const unknown = await scan(await atPo(), "PO-404");
    expect(unknown.feedback).toBe("bad");
    expect(unknown.notice?.text).toBe(receiveText.poNotFound);
    const early = await scan(await atPo(), "690001");
    expect(early.notice?.text).toBe(receiveText.scanPoFirst);
  });

  it("warns about a PO that no longer expects goods, and still receives", async () => {
    const closed: ReceiveContext = { db, loadPo: async () => ({ ...PO, status: "closed" }) };
    const po = await scan(await atPo(), "PO-2026-0001", closed);
    expect(po.notice).toMatchObject({ tone: "warn", text: receiveText.poNotOpen });
    expect(po.state.step).toBe("item");
  });

  it("shows the server's refusal", async () => {
    const denied: ReceiveContext = {
      db,
      loadPo: async () => {
        throw new ApiError(403, "forbidden", { en: "Not allowed", zh: "无权限" });
      },
    };
    const refused = await scan(await atPo(), "PO-2026-0001", denied);
    expect(refused.notice?.text).toEqual({ en: "Not allowed", zh: "无权限" });
  });
});

describe("offline or without a PO", () => {
  it("receives without the PO's lines and without linking it", async () => {
    const offline: ReceiveContext = {
      db,
      loadPo: async () => {
        throw new NetworkError("offline");
      },
    };
    const po = await scan(await atPo(), "PO-2026-0001", offline);
    expect(po.notice).toMatchObject({ tone: "warn", text: receiveText.poOffline });
    const item = await scan(po.state, "690002", offline);
    const done = await decideQc(db, receiveNext(item.state).state, "pass");
    expect(done.ops[0]?.payload).toMatchObject({ sku_id: 2, qty: 1, purchase_order_id: null });
  });

  it("takes No PO", async () => {
    const none = withoutPo(await atPo());
    const item = await scan(none.state, "690002");
    const qty = setReceiveQty(item.state, 7);
    const done = await decideQc(db, receiveNext(qty.state).state, "hold");
    expect(done.ops[0]?.payload).toMatchObject({ sku_id: 2, qty: 7, to_location_id: 2, purchase_order_id: null });
    expect(done.notice?.text).toBe(receiveText.receivedHeld);
  });

  it("refuses a kit", async () => {
    const refused = await scan(withoutPo(await atPo()).state, "690004");
    expect(refused.notice?.text).toBe(stepText.kit);
  });
});

describe("lot and expiry", () => {
  async function atLot(label: ReturnType<typeof labelOf> | null = null): Promise<ReceiveState> {
    const none = withoutPo(await atPo());
    const item = await receiveScan(ctx, none.state, await resolveIn(db, "690003", label));
    const lot = receiveNext(item.state);
    expect(lot.state.step).toBe("lot");
    return lot.state;
  }

  it("are required for a lot- and expiry-controlled SKU", async () => {
    const state = await atLot();
    const noLot = receiveNext(state);
    expect(noLot.feedback).toBe("bad");
    expect(noLot.notice?.text).toBe(receiveText.lotRequired);
    expect(noLot.state.step).toBe("lot");
    const noExpiry = receiveNext(setLotFields(state, { lotNumber: "L-9" }).state);
    expect(noExpiry.notice?.text).toBe(receiveText.expiryRequired);
    const outOfOrder = receiveNext(
      setLotFields(state, { lotNumber: "L-9", manufacturedOn: "2027-02-01", expiresOn: "2027-01-01" }).state,
    );
    expect(outOfOrder.notice?.text).toBe(receiveText.datesOutOfOrder);
    const badDate = receiveNext(setLotFields(state, { lotNumber: "L-9", expiresOn: "2027-02-30" }).state);
    expect(badDate.notice?.text).toBe(receiveText.badDate);
    const placeholder = receiveNext(setLotFields(state, { lotNumber: "@x", expiresOn: "2027-02-01" }).state);
    expect(placeholder.notice?.text).toBe(receiveText.badLot);
  });

  it("are filled from a GS1 label and recorded", async () => {
    const state = await atLot(labelOf("L-7", null, "2027-06-30"));
    expect(state.item).toMatchObject({ lotNumber: "L-7", expiresOn: "2027-06-30" });
    const qc = receiveNext(state);
    expect(qc.state.step).toBe("qc");
    const done = await decideQc(db, qc.state, "pass");
    expect(done.ops[0]?.payload).toMatchObject({ sku_id: 3, lot_number: "L-7", expires_on: "2027-06-30" });
  });

  it("can be filled by scanning the label in the lot step", async () => {
    const state = await atLot();
    const filled = await receiveScan(ctx, state, await resolveIn(db, "690003", labelOf("L-8", null, "2028-01-31")));
    expect(filled.state.item).toMatchObject({ lotNumber: "L-8", expiresOn: "2028-01-31" });
  });
});

describe("hold for inspection", () => {
  it("needs a quarantine bin", async () => {
    await db.delete("location", 2);
    const none = withoutPo(await atPo());
    const item = await scan(none.state, "690002");
    const refused = await decideQc(db, receiveNext(item.state).state, "hold");
    expect(refused.feedback).toBe("bad");
    expect(refused.notice?.text).toBe(receiveText.noQuarantine);
    expect(refused.ops).toEqual([]);
  });
});

describe("poLoader", () => {
  it("finds the exact code in the list and loads its lines", async () => {
    const calls: string[] = [];
    const api = async <T,>(_method: string, path: string): Promise<T> => {
      calls.push(path);
      if (path.startsWith("/api/purchase-orders?")) {
        return { items: [{ id: 9, code: "PO-2026-00010", status: "open" }, { id: 8, code: "PO-2026-0001", status: "open" }] } as T;
      }
      return { id: 8, code: "PO-2026-0001", status: "open", lines: PO.lines } as T;
    };
    const found = await poLoader(api)("po-2026-0001");
    expect(found).toMatchObject({ id: 8, code: "PO-2026-0001", lines: PO.lines });
    expect(calls).toEqual(["/api/purchase-orders?q=po-2026-0001&limit=50", "/api/purchase-orders/8"]);
  });
});
