// One report (#/reports/sales): filters, then tiles, charts and tables drawn from the envelope
// alone. The last view is kept per report with its filters and shown offline "as of" its time;
// the CSV export of each table needs the server and says so offline.

import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { navigate } from "../app/router";
import { useServices } from "../app/services";
import { lang, t } from "../i18n/i18n";
import { loadView, useLiveView } from "../manager/last-view";
import { ViewStatus } from "../manager/view-status";
import { readMeta } from "../store/meta";
import { Notice, Screen } from "../ui/kit";
import { ReportChart } from "./charts/report-chart";
import { downloadCsv, type CsvDeps } from "./csv";
import { FilterBar } from "./filter-bar";
import { DEFAULT_BUSINESS_ZONE, defaultQuery, paramsFor, rangeOf, readQuery, todayIn, type ReportQuery } from "./filters";
import { reportNames, reportsText } from "./messages";
import { csvPath, fetchReport, paramsOf, reportPath } from "./report-client";
import { withPlatformNames } from "./platform-names";
import { ReportTable } from "./report-table";
import { ReportTiles } from "./report-tiles";
import type { ReportName } from "./report-types";
import { asReportView, isEmptyReport, reportViewKey, type ReportView } from "./report-view";
import "../manager/report.css";
import "./reports.css";

export function ReportPage(props: { name: ReportName }): JSX.Element {
  const { name } = props;
  const services = useServices();
  const session = services.session.value;
  const key = reportViewKey(name, session?.userId ?? 0);
  const [kept] = useState(() => asReportView(loadView<unknown>(key)?.data));
  const [zone, setZone] = useState<string>(kept?.report.filters.timezone ?? DEFAULT_BUSINESS_ZONE);
  const today = todayIn(zone);
  const [query, setQuery] = useState<ReportQuery>(() => {
    const restored = readQuery(kept?.query);
    const home = session !== null && session.warehouseId > 0 ? session.warehouseId : null;
    return restored !== null && paramsFor(restored, today) !== null ? restored : defaultQuery(home);
  });
  const params = paramsFor(query, today) ?? paramsFor(defaultQuery(query.warehouseId), today);
  if (params === null) throw new Error("a preset always has dates");
  const path = reportPath(name, params);

  const fetcher = useCallback(
    async (): Promise<ReportView> => ({ path, query, report: await fetchReport(services.api, name, params) }),
    [services, name, path, query], // `path` stands for `params`: the same URL is the same request
  );
  const view = useLiveView<ReportView>(key, fetcher, path);
  const shown = asReportView(view.data);
  const report = shown === null ? null : withPlatformNames(shown.report, lang.value);
  const offline = view.offline || globalThis.navigator?.onLine === false;

  useEffect(() => {
    if (report !== null && report.filters.timezone !== zone) setZone(report.filters.timezone);
  }, [report?.filters.timezone]);

  const download = useCallback(
    async (table: string): Promise<string> => {
      if (report === null) throw new Error("no report to export");
      const deps: CsvDeps = {
        fetch: (input, init) => globalThis.fetch(input, init),
        token: async () => (await readMeta(services.db, "device")).token,
      };
      const f = report.filters;
      const path = csvPath(name, paramsOf(f), table, lang.value);
      return downloadCsv(deps, path, `${name}-${table}-${f.date_from}_${f.date_to}.csv`);
    },
    [services, name, report],
  );

  const title = report === null ? t(reportNames[name].title) : lang.value === "en" ? report.title_en : report.title_zh;
  const zoneName = report?.filters.timezone ?? "";
  return (
    <Screen title={title} testId="report-page" onBack={() => navigate("reports")}>
      <FilterBar query={query} range={rangeOf(query, today)} options={report?.options ?? null} onChange={setQuery} />
      <ViewStatus view={view} onRefresh={() => void view.refresh()} />
      {report !== null && (
        <div class={`report-cards${view.loading ? " report-stale" : ""}`} data-testid={`report-${name}`}>
          <p class="report-muted" data-testid="report-range">
            {t(reportsText.range, { from: report.filters.date_from, to: report.filters.date_to, zone: zoneName })}
          </p>
          {!view.loading && shown !== null && shown.path !== path && (
            <Notice tone="warn" testId="other-filters">
              {t(reportsText.otherFilters, { from: report.filters.date_from, to: report.filters.date_to })}
            </Notice>
          )}
          {isEmptyReport(report) && (
            <Notice tone="info" testId="report-empty">
              {t(reportsText.empty)}
            </Notice>
          )}
          <ReportTiles tiles={report.tiles} timeZone={zoneName} />
          {report.charts.map((chart) => (
            <ReportChart key={chart.key} chart={chart} />
          ))}
          {report.tables.map((table) => (
            <ReportTable key={table.key} table={table} timeZone={zoneName} offline={offline} onDownload={download} />
          ))}
        </div>
      )}
    </Screen>
  );
}
