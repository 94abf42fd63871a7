// One table of a report: scrolls sideways inside its card on a phone (the page never does), the
// first column stays put while scrolling, numbers align right in their unit's format. A table cut
// at the server's limit says so next to the export that has every row.

import type { JSX } from "preact";
import { t } from "../i18n/i18n";
import { CsvButton } from "./csv-button";
import { labelOf } from "./labels";
import { reportsText } from "./messages";
import type { Table } from "./report-types";
import { formatValue, isNumeric } from "./units";

export function ReportTable(props: {
  table: Table;
  timeZone: string;
  offline: boolean;
  onDownload: (table: string) => Promise<string>;
}): JSX.Element {
  const { table } = props;
  return (
    <section class="report-card" data-testid={`table-${table.key}`}>
      <h2>{labelOf(table)}</h2>
      {table.rows.length === 0 ? (
        <p class="report-muted">{t(reportsText.noRows)}</p>
      ) : (
        <div class="report-scroll" tabIndex={0} role="region" aria-label={labelOf(table)}>
          <table class="report-table">
            <thead>
              <tr>
                {table.columns.map((column) => (
                  <th key={column.key} scope="col" class={isNumeric(column.unit) ? "num" : undefined}>
                    {labelOf(column)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, r) => (
                <tr key={r}>
                  {table.columns.map((column, c) => {
                    const cell = formatValue(row[c], column.unit, { timeZone: props.timeZone });
                    const numeric = isNumeric(column.unit);
                    return c === 0 ? (
                      <th key={column.key} scope="row" class={numeric ? "num" : undefined}>
                        {cell}
                      </th>
                    ) : (
                      <td key={column.key} class={numeric ? "num" : undefined}>
                        {cell}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {table.truncated && (
        <p class="report-muted" data-testid={`truncated-${table.key}`}>
          {t(reportsText.truncated, { n: table.rows.length })}
        </p>
      )}
      <CsvButton table={table.key} offline={props.offline} onDownload={props.onDownload} />
    </section>
  );
}
