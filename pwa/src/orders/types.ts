// The slices of the order API the order screens read (server/orders/schemas.py OrderOut,
// OrderDetailOut, ChannelOut; server/orders/rules_controller.py UrgentOrderOut).

export interface OrderOut {
  readonly id: number;
  readonly channel_id: number;
  readonly platform_order_no: string;
  readonly status: string;
  readonly hold_reason: string;
  readonly ordered_at: string;
  readonly paid_at: string | null;
  readonly currency: string;
  readonly paid_minor: number;
  readonly buyer_message: string;
  readonly seller_memo: string;
  readonly ship_by: string | null;
  readonly presale: boolean;
  readonly priority: number;
  readonly tags: readonly string[];
  readonly warehouse_id: number | null;
  readonly carrier_code: string;
}

export interface OrderLineOut {
  readonly id: number;
  readonly line_no: number;
  readonly sku_code: string;
  readonly title: string;
  readonly spec: string;
  readonly qty: number;
  readonly refund: string;
}

export interface OrderDetailOut extends OrderOut {
  readonly lines: readonly OrderLineOut[];
}

/** Why an order is urgent (server/orders/urgency.py Flag). */
export interface UrgencyFlag {
  readonly kind: string;
  readonly reason: string;
  readonly reason_zh: string;
}

export interface UrgentOrderOut {
  readonly order: OrderOut;
  readonly flags: readonly UrgencyFlag[];
}

export interface ChannelOut {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly platform: string;
}

export interface ChannelPage {
  readonly items: readonly ChannelOut[];
}

export const URGENT_PATH = "/api/orders/urgent";
export const CHANNELS_PATH = "/api/channels?limit=200";

export function orderPath(id: number): string {
  return `/api/orders/${id}`;
}
