// The reports area (报表): `#/reports` lists the five reports, `#/reports/<name>` shows one.

import type { JSX } from "preact";
import { navigate } from "../app/router";
import type { ScreenProps } from "../app/routes";
import { t } from "../i18n/i18n";
import { Notice, Screen } from "../ui/kit";
import { reportNames, reportsText } from "./messages";
import { ReportPage } from "./report-page";
import { REPORT_NAMES, isReportName } from "./report-types";
import "./reports.css";

function ReportList(props: { unknown?: string }): JSX.Element {
  return (
    <Screen title={t(reportsText.title)} testId="reports-list" onBack={() => navigate("")}>
      {props.unknown !== undefined && (
        <Notice tone="bad" testId="unknown-report">
          {t(reportsText.unknown, { name: props.unknown })}
        </Notice>
      )}
      <ul class="list report-menu">
        {REPORT_NAMES.map((name) => (
          <li key={name}>
            <button type="button" data-testid={`report-link-${name}`} onClick={() => navigate("reports", name)}>
              <strong>{t(reportNames[name].title)}</strong>
              <span class="report-muted">{t(reportNames[name].about)}</span>
            </button>
          </li>
        ))}
      </ul>
    </Screen>
  );
}

export function ReportsScreen(props: ScreenProps): JSX.Element {
  const name = props.args[0];
  if (name === undefined) return <ReportList />;
  if (!isReportName(name)) return <ReportList unknown={name} />;
  return <ReportPage key={name} name={name} />;
}
