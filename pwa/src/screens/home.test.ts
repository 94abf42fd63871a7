// The home menu offers exactly the screens the session's permissions allow.
import { describe, expect, test } from "vitest";
import type { Session } from "../app/services";
import { menuFor } from "./home";

function session(permissions: string[]): Session {
  return { userId: 1, username: "u", displayName: "u", permissions, deviceId: "d", warehouseId: 1 };
}

describe("home menu", () => {
  test("a picker gets the RF screens, not the supervisor's or manager's", () => {
    const names = menuFor(session(["sync.use", "stock.read"])).map((e) => e.name);
    expect(names).toEqual(["pick", "pack", "receive", "move", "count", "returns", "lookup", "sync", "settings"]);
  });

  test("a manager gets the manager view and no RF screens", () => {
    const names = menuFor(session(["orders.read"])).map((e) => e.name);
    expect(names).toEqual(["lookup", "manager", "reports", "sync", "settings"]);
  });
});
