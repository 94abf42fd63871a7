// Schema v3 (the scan resolver's indexes) is built over rows stored under v2: a phone updated with
// lots and levels on it finds a lot by its number and a lot's levels at once.
import { expect, test } from "vitest";
import { findLotsByNumber, levelsOfLot } from "../store/lookups";
import { openCangkuDb } from "../store/open-db";
import { freshName } from "../store/test-support";

test("v3 indexes lots by number and levels by lot over v2 rows", async () => {
  const name = freshName("v3");
  const v2 = await openCangkuDb({ name, version: 2 });
  await v2.put("lot", { id: 201, sku_id: 3, lot_number: "L2406A", manufactured_on: null, expires_on: "2027-06-30" });
  await v2.put("level", { key: "102:3:201", location_id: 102, sku_id: 3, lot_id: 201, on_hand: 20, reserved: 2 });
  await v2.put("level", { key: "102:1:0", location_id: 102, sku_id: 1, lot_id: null, on_hand: 12, reserved: 0 });
  v2.close();
  const latest = await openCangkuDb({ name });
  expect((await findLotsByNumber(latest, "L2406A")).map((lot) => lot.id)).toEqual([201]);
  expect((await levelsOfLot(latest, 201)).map((level) => level.key)).toEqual(["102:3:201"]);
  latest.close();
});
