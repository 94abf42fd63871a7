// Loads a purchase order by its number from the server (server/inbound/controller.py): the list
// filtered by `q` (code or supplier contains), the exact code picked from it, then the order with
// its lines. The device never stores purchase orders; offline this throws NetworkError.

import type { PoInfo, PoLine, PoLoader } from "./receive-flow";

type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

interface OrderOut {
  readonly id: number;
  readonly code: string;
  readonly status: string;
}

interface OrderPage {
  readonly items: readonly OrderOut[];
}

interface OrderDetail extends OrderOut {
  readonly lines: readonly PoLine[];
}

export function poLoader(api: Api): PoLoader {
  return async (code) => {
    const wanted = code.trim().toUpperCase();
    const page = await api<OrderPage>("GET", `/api/purchase-orders?q=${encodeURIComponent(code.trim())}&limit=50`);
    const match = page.items.find((o) => o.code.toUpperCase() === wanted);
    if (match === undefined) return null;
    const detail = await api<OrderDetail>("GET", `/api/purchase-orders/${match.id}`);
    const info: PoInfo = { id: detail.id, code: detail.code, status: detail.status, lines: detail.lines };
    return info;
  };
}
