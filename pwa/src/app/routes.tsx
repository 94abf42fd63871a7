// Which screen answers which hash route. The shell renders `screenFor(route)`; the home menu lists
// the entries with a `menu` label the session's permissions allow.

import type { JSX } from "preact";
import type { ReadonlySignal } from "@preact/signals";
import type { Bilingual } from "../i18n/i18n";
import { HomeScreen } from "../screens/home";
import { LoginScreen } from "../screens/login";
import { SettingsScreen } from "../screens/settings";
import { SyncStatusScreen } from "../screens/sync-status";
import { PickScreen } from "../tasks/pick/pick-screen";
import { PackScreen } from "../tasks/pack/pack-screen";
import { CountScreen } from "../tasks/count/count-screen";
import { ReceiveScreen } from "../tasks/receive/receive-screen";
import { MoveScreen } from "../tasks/move/move-screen";
import { ReturnsScreen } from "../tasks/returns/returns-screen";
import { LookupScreen } from "../tasks/lookup/lookup-screen";
import { SupervisorScreen } from "../supervisor/supervisor-screen";
import { ManagerScreen } from "../manager/manager-screen";
import { unreadNotices } from "../notices/live";
import { NoticesScreen } from "../notices/notices-screen";
import { OrderScreen } from "../orders/order-screen";
import { UrgentScreen } from "../orders/urgent-screen";
import { ReportsScreen } from "../reports/reports-screen";
import { RulesScreen } from "../notices/rules-screen";

export interface ScreenProps {
  /** Route segments after the screen's name, e.g. ["12"] for `#/pick/12`. */
  readonly args: readonly string[];
}

export interface ScreenEntry {
  readonly name: string;
  readonly component: (props: ScreenProps) => JSX.Element;
  /** Shown on the home menu with this label; absent for screens reached otherwise. */
  readonly menu?: Bilingual;
  /** The session needs this permission for the menu to offer the screen. */
  readonly permission?: string;
  /** The screen takes scans: the shell offers the camera under it (one camera for all steps). */
  readonly scans?: boolean;
  /** A count shown on the menu button when above 0 (unread notifications). */
  readonly badge?: ReadonlySignal<number>;
}

export const SCREENS: readonly ScreenEntry[] = [
  { name: "", component: HomeScreen },
  { name: "login", component: LoginScreen },
  { name: "pick", component: PickScreen, scans: true, menu: { en: "Pick", zh: "拣货" }, permission: "sync.use" },
  { name: "pack", component: PackScreen, scans: true, menu: { en: "Pack check", zh: "复核" }, permission: "sync.use" },
  { name: "receive", component: ReceiveScreen, scans: true, menu: { en: "Receive", zh: "收货" }, permission: "sync.use" },
  { name: "move", component: MoveScreen, scans: true, menu: { en: "Put away / move", zh: "上架 / 移库" }, permission: "sync.use" },
  { name: "count", component: CountScreen, scans: true, menu: { en: "Cycle count", zh: "盘点" }, permission: "sync.use" },
  { name: "returns", component: ReturnsScreen, scans: true, menu: { en: "Returns", zh: "退货入库" }, permission: "sync.use" },
  { name: "lookup", component: LookupScreen, scans: true, menu: { en: "Look up", zh: "查询" } },
  {
    name: "supervisor",
    component: SupervisorScreen,
    menu: { en: "Exceptions", zh: "异常处理" },
    permission: "sync.review",
  },
  { name: "manager", component: ManagerScreen, menu: { en: "Today", zh: "今日概况" }, permission: "orders.read" },
  { name: "reports", component: ReportsScreen, menu: { en: "Reports", zh: "报表" }, permission: "orders.read" },
  {
    name: "notifications",
    component: NoticesScreen,
    menu: { en: "Notifications", zh: "通知" },
    permission: "push.subscribe",
    badge: unreadNotices,
  },
  { name: "push-rules", component: RulesScreen, menu: { en: "Push rules", zh: "推送规则" }, permission: "push.rules" },
  { name: "order", component: OrderScreen, permission: "orders.read" },
  { name: "urgent", component: UrgentScreen, permission: "orders.read" },
  { name: "sync", component: SyncStatusScreen, menu: { en: "Sync", zh: "同步" } },
  { name: "settings", component: SettingsScreen, menu: { en: "Settings", zh: "设置" } },
];

export function screenFor(name: string): ScreenEntry {
  return SCREENS.find((entry) => entry.name === name) ?? (SCREENS[0] as ScreenEntry);
}
