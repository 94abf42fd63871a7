// Urgent orders (#/urgent, where an "N urgent orders" notification leads): the server's list
// (GET /api/orders/urgent, nearest deadline first) with each order's reasons; tap for the order.

import type { JSX } from "preact";
import { useCallback } from "preact/hooks";
import { navigate } from "../app/router";
import type { ScreenProps } from "../app/routes";
import { useServices } from "../app/services";
import { t } from "../i18n/i18n";
import { useLiveView, viewKey } from "../manager/last-view";
import { ViewStatus } from "../manager/view-status";
import { Screen } from "../ui/kit";
import { when } from "./format";
import { urgentText } from "./messages";
import { FlagTags, statusLabel, useChannelNames } from "./order-screen";
import { URGENT_PATH, type UrgentOrderOut } from "./types";
import "../manager/report.css";
import "./orders.css";

export function UrgentScreen(_props: ScreenProps): JSX.Element {
  const { api, session } = useServices();
  const userId = session.value?.userId ?? 0;
  const warehouseId = session.value?.warehouseId ?? null;
  const fetcher = useCallback(() => api<UrgentOrderOut[]>("GET", URGENT_PATH), [api]);
  const view = useLiveView(viewKey("urgent", userId, warehouseId), fetcher);
  const shopName = useChannelNames(userId, warehouseId);
  const items = view.data ?? [];
  return (
    <Screen title={t(urgentText.title)} testId="urgent-screen" onBack={() => navigate("")}>
      <ViewStatus view={view} onRefresh={() => void view.refresh()} />
      {view.data !== null && items.length === 0 && <p class="report-muted">{t(urgentText.none)}</p>}
      {items.length > 0 && (
        <>
          <p data-testid="urgent-count">{t(urgentText.count, { n: items.length })}</p>
          <ul class="list report-list" data-testid="urgent-orders">
            {items.map(({ order, flags }) => (
              <li key={order.id}>
                <button
                  type="button"
                  class="order-open"
                  data-testid="urgent-order"
                  data-order={order.id}
                  onClick={() => navigate("order", order.id)}
                >
                  <span class="report-line">
                    <strong>{order.platform_order_no}</strong>
                    <span class="report-muted">{statusLabel(order.status)}</span>
                  </span>
                  <span class="report-muted">
                    {shopName(order.channel_id)}
                    {order.paid_at !== null && ` · ${when(order.paid_at)}`}
                  </span>
                  <FlagTags flags={flags} />
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </Screen>
  );
}
