// One order, read-only (#/order/<id>): what a supervisor needs when a notification says it is
// urgent — number, shop, status, when paid and by when it must ship, why it is urgent, the items.
// Read from the server (GET /api/orders/{id}); offline it shows the last view fetched here.

import type { JSX } from "preact";
import { useCallback } from "preact/hooks";
import { navigate } from "../app/router";
import type { ScreenProps } from "../app/routes";
import { useServices } from "../app/services";
import { lang, t } from "../i18n/i18n";
import { loadView, useLiveView, viewKey } from "../manager/last-view";
import { statusText } from "../manager/messages";
import { ViewStatus } from "../manager/view-status";
import { Button, Fact, Notice, Screen } from "../ui/kit";
import { money, when } from "./format";
import { orderText } from "./messages";
import {
  CHANNELS_PATH,
  orderPath,
  type ChannelPage,
  type OrderDetailOut,
  type UrgencyFlag,
  type UrgentOrderOut,
} from "./types";
import "../manager/report.css";

export function statusLabel(status: string): string {
  const known = (statusText as Record<string, { en: string; zh: string } | undefined>)[status];
  return known === undefined ? status : t(known);
}

export function FlagTags(props: { flags: readonly UrgencyFlag[] }): JSX.Element {
  return (
    <div class="report-reasons" data-testid="order-flags">
      {props.flags.map((flag) => (
        <span key={flag.kind} class="report-tag report-tag-bad">
          {lang.value === "en" ? flag.reason : flag.reason_zh}
        </span>
      ))}
    </div>
  );
}

/** The shop names, kept like any view (they change rarely). */
export function useChannelNames(userId: number, warehouseId: number | null): (id: number) => string {
  const { api } = useServices();
  const fetcher = useCallback(() => api<ChannelPage>("GET", CHANNELS_PATH), [api]);
  const channels = useLiveView(viewKey("channels", userId, warehouseId), fetcher);
  return (id) => {
    const found = channels.data?.items.find((c) => c.id === id);
    return found === undefined ? `#${id}` : found.name || found.code;
  };
}

export function OrderScreen(props: ScreenProps): JSX.Element {
  const id = Number.parseInt(props.args[0] ?? "", 10);
  const back = (): void => navigate("");
  if (!Number.isInteger(id) || id <= 0) {
    return (
      <Screen title={t(orderText.title)} testId="order-screen" onBack={back}>
        <Notice tone="bad" testId="order-bad-id">
          {t(orderText.badId)}
        </Notice>
      </Screen>
    );
  }
  return <OrderView key={id} id={id} />;
}

function OrderView(props: { id: number }): JSX.Element {
  const { api, session } = useServices();
  const userId = session.value?.userId ?? 0;
  const warehouseId = session.value?.warehouseId ?? null;
  const fetcher = useCallback(() => api<OrderDetailOut>("GET", orderPath(props.id)), [api, props.id]);
  const view = useLiveView(viewKey(`order.${props.id}`, userId, warehouseId), fetcher);
  const shopName = useChannelNames(userId, warehouseId);
  const order = view.data;
  // Why it is urgent, as the urgent list (#/urgent) last said: the order API does not carry it.
  const flags =
    loadView<UrgentOrderOut[]>(viewKey("urgent", userId, warehouseId))?.data.find((u) => u.order.id === props.id)
      ?.flags ?? [];
  return (
    <Screen
      title={order === null ? t(orderText.title) : `${t(orderText.title)} ${order.platform_order_no}`}
      testId="order-screen"
      onBack={() => navigate("")}
    >
      <ViewStatus view={view} onRefresh={() => void view.refresh()} />
      {order !== null && (
        <div class="report-cards">
          <section class="report-card" data-testid="order-card">
            <p class="report-big" data-testid="order-number">
              {order.platform_order_no}
            </p>
            {flags.length > 0 && <FlagTags flags={flags} />}
            <div class="facts">
              <Fact label={orderText.shop}>
                <span data-testid="order-shop">{shopName(order.channel_id)}</span>
              </Fact>
              <Fact label={orderText.status}>
                <span data-testid="order-status">{statusLabel(order.status)}</span>
              </Fact>
              {order.hold_reason !== "" && <Fact label={orderText.held}>{order.hold_reason}</Fact>}
              <Fact label={orderText.paid}>
                <span data-testid="order-paid">
                  {order.paid_at === null ? t(orderText.notPaid) : when(order.paid_at)}
                </span>
              </Fact>
              {order.ship_by !== null && (
                <Fact label={orderText.shipBy}>
                  <span data-testid="order-ship-by">
                    {when(order.ship_by)}
                    {order.presale && ` (${t(orderText.presale)})`}
                  </span>
                </Fact>
              )}
              <Fact label={orderText.amount}>{money(order.paid_minor, order.currency)}</Fact>
              {order.priority !== 0 && <Fact label={orderText.priority}>{order.priority}</Fact>}
              {order.carrier_code !== "" && <Fact label={orderText.carrier}>{order.carrier_code}</Fact>}
            </div>
            {order.tags.length > 0 && (
              <div class="report-reasons">
                {order.tags.map((tag) => (
                  <span key={tag} class="report-tag">
                    {tag}
                  </span>
                ))}
              </div>
            )}
            {order.buyer_message !== "" && <Fact label={orderText.buyerMessage}>{order.buyer_message}</Fact>}
            {order.seller_memo !== "" && <Fact label={orderText.sellerMemo}>{order.seller_memo}</Fact>}
          </section>
          <section class="report-card">
            <h2>{t(orderText.lines)}</h2>
            <ul class="list report-list" data-testid="order-lines">
              {order.lines.map((line) => (
                <li key={line.id}>
                  <div class="report-line">
                    <strong>{line.title || line.sku_code}</strong>
                    <span>× {line.qty}</span>
                  </div>
                  <div class="report-muted">
                    {line.sku_code}
                    {line.spec !== "" && ` · ${line.spec}`}
                    {line.refund === "requested" && ` · ${t(orderText.refundRequested)}`}
                    {line.refund === "refunded" && ` · ${t(orderText.refunded)}`}
                  </div>
                </li>
              ))}
            </ul>
          </section>
          <Button kind="secondary" testId="order-urgent-list" onClick={() => navigate("urgent")}>
            {t(orderText.urgentList)}
          </Button>
        </div>
      )}
    </Screen>
  );
}
