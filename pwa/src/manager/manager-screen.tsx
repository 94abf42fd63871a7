// The owner's phone view of the day (今日概况): orders by status, shipped against due, the late
// and urgent orders, picks per hour and stock-outs — one request (GET /api/reports/today), kept
// for reading offline with the time it was fetched.

import type { ComponentChildren, JSX } from "preact";
import { useCallback } from "preact/hooks";
import { navigate } from "../app/router";
import type { ScreenProps } from "../app/routes";
import { useServices } from "../app/services";
import { lang, t } from "../i18n/i18n";
import { Button, Screen } from "../ui/kit";
import { viewKey, useLiveView } from "./last-view";
import { statusText, todayText } from "./messages";
import { PicksChart, currentBucket } from "./picks-chart";
import { todayPath, type StatusCount, type TodayReport } from "./today-types";
import { ViewStatus } from "./view-status";
import { zoneTime } from "./zone-time";
import "./report.css";

function statusLabel(status: string): string {
  const known = (statusText as Record<string, { en: string; zh: string } | undefined>)[status];
  return known === undefined ? status : t(known);
}

function StatusRows(props: { rows: readonly StatusCount[]; testId: string }): JSX.Element {
  const top = Math.max(1, ...props.rows.map((r) => r.count));
  return (
    <ul class="report-rows" data-testid={props.testId}>
      {props.rows.map((row) => (
        <li key={row.status} data-status={row.status}>
          <span class="report-row-label">{statusLabel(row.status)}</span>
          <span class="report-row-bar">
            <span style={{ width: `${Math.round((row.count / top) * 100)}%` }} />
          </span>
          <span class="report-row-value">{row.count}</span>
        </li>
      ))}
    </ul>
  );
}

function Card(props: { title: string; testId: string; children: ComponentChildren }): JSX.Element {
  return (
    <section class="report-card" data-testid={props.testId}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

function OrdersCard({ report }: { report: TodayReport }): JSX.Element {
  const backlog = report.open_by_status.reduce((sum, row) => sum + row.count, 0);
  return (
    <Card title={t(todayText.paidToday)} testId="card-orders">
      <p class="report-big" data-testid="paid-today">
        {report.orders_paid_today}
      </p>
      {report.orders_by_status.length === 0 ? (
        <p class="report-muted">{t(todayText.noOrders)}</p>
      ) : (
        <StatusRows rows={report.orders_by_status} testId="orders-by-status" />
      )}
      <h3>
        {t(todayText.backlog)} <span data-testid="backlog">{backlog}</span>
      </h3>
      <StatusRows rows={report.open_by_status} testId="open-by-status" />
    </Card>
  );
}

function DueCard({ report }: { report: TodayReport }): JSX.Element {
  const due = report.shipped_vs_due;
  const share = due.due === 0 ? 0 : Math.round((due.due_shipped / due.due) * 100);
  return (
    <Card title={t(todayText.shippedVsDue)} testId="card-due">
      {due.due === 0 ? (
        <p class="report-muted">{t(todayText.nothingDue)}</p>
      ) : (
        <>
          <p data-testid="due-shipped">{t(todayText.dueShipped, { done: due.due_shipped, due: due.due })}</p>
          <div
            class="report-progress"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={due.due}
            aria-valuenow={due.due_shipped}
            data-testid="due-bar"
          >
            <span style={{ width: `${share}%` }} />
          </div>
          {due.due_open > 0 && <p class="report-warn">{t(todayText.dueOpen, { n: due.due_open })}</p>}
        </>
      )}
      <p class="report-muted" data-testid="shipped-today">
        {t(todayText.shippedToday, { n: due.shipped })}
      </p>
    </Card>
  );
}

function UrgentCard({ report }: { report: TodayReport }): JSX.Element {
  const urgent = report.urgent;
  return (
    <Card title={t(todayText.urgent)} testId="card-urgent">
      <p>
        <span class={urgent.late > 0 ? "report-bad" : ""} data-testid="late-count">
          {t(todayText.lateCount, { n: urgent.late })}
        </span>
        {" · "}
        <span data-testid="urgent-count">{t(todayText.urgentCount, { n: urgent.urgent })}</span>
      </p>
      {urgent.items.length === 0 ? (
        <p class="report-muted">{t(todayText.noUrgent)}</p>
      ) : (
        <ul class="list report-list" data-testid="urgent-list">
          {urgent.items.map((order) => (
            <li key={order.order_id} data-testid={`urgent-${order.order_no}`} class={order.late ? "report-late" : ""}>
              <div class="report-line">
                <strong>{order.order_no}</strong>
                <span class="report-muted">{order.channel_name || order.channel_code}</span>
              </div>
              <div class="report-reasons">
                {order.late && <span class="report-tag report-tag-bad">{t(todayText.late)}</span>}
                {order.flags.map((flag) => (
                  <span key={flag.kind} class="report-tag">
                    {lang.value === "en" ? flag.reason : flag.reason_zh}
                  </span>
                ))}
              </div>
              {order.deadline !== null && (
                <div class="report-muted">
                  {t(todayText.deadline, { time: zoneTime(order.deadline, report.timezone) })}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function PicksCard({ report }: { report: TodayReport }): JSX.Element {
  const hours = report.picks_per_hour;
  const picks = hours.reduce((sum, h) => sum + h.picks, 0);
  const units = hours.reduce((sum, h) => sum + h.units, 0);
  return (
    <Card title={t(todayText.picks)} testId="card-picks">
      <p data-testid="picks-total">{t(todayText.picksTotal, { picks, units })}</p>
      <PicksChart hours={hours} currentHour={currentBucket(hours, Date.parse(report.generated_at))} />
    </Card>
  );
}

function StockOutsCard({ report }: { report: TodayReport }): JSX.Element {
  const outs = report.stock_outs;
  return (
    <Card title={t(todayText.stockOuts)} testId="card-stock-outs">
      <p data-testid="stock-out-count">{t(todayText.stockOutCount, { n: outs.skus, sold: outs.sold_out_skus })}</p>
      {outs.items.length === 0 ? (
        <p class="report-muted">{t(todayText.noStockOuts)}</p>
      ) : (
        <ul class="list report-list" data-testid="stock-out-list">
          {outs.items.map((sku) => (
            <li key={sku.sku_id} data-testid={`stock-out-${sku.sku_code}`}>
              <div class="report-line">
                <strong>{sku.sku_code}</strong>
                <span>{lang.value === "en" ? sku.name_en || sku.name_zh : sku.name_zh}</span>
              </div>
              <div class="report-muted">
                {t(todayText.waiting, { orders: sku.waiting_orders, units: sku.waiting_units })}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export function ManagerScreen(_props: ScreenProps): JSX.Element {
  const services = useServices();
  const session = services.session.value;
  const warehouseId = session !== null && session.warehouseId > 0 ? session.warehouseId : null;
  const fetcher = useCallback(
    () => services.api<TodayReport>("GET", todayPath(warehouseId)),
    [services, warehouseId],
  );
  const view = useLiveView(viewKey("today", session?.userId ?? 0, warehouseId), fetcher);
  const report = view.data;

  return (
    <Screen title={t(todayText.title)} testId="manager-screen" onBack={() => navigate("")}>
      <ViewStatus view={view} onRefresh={() => void view.refresh()} />
      {report !== null && (
        <div class="report-cards">
          <OrdersCard report={report} />
          <DueCard report={report} />
          <UrgentCard report={report} />
          <PicksCard report={report} />
          <StockOutsCard report={report} />
        </div>
      )}
      <Button kind="secondary" onClick={() => navigate("reports")} testId="open-reports">
        {t(todayText.reports)}
      </Button>
    </Screen>
  );
}
