// The filters above a report: date presets as one row of thumb-sized toggles, two date fields for
// a custom range (applied only once valid), and the warehouse / platform / shop pickers the server
// offers in the report's `options`.

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { t, type Bilingual } from "../i18n/i18n";
import { PRESETS, isDay, type Preset, type ReportQuery } from "./filters";
import { labelOf } from "./labels";
import { presetText, reportsText } from "./messages";
import type { FilterOption, FilterOptions } from "./report-types";

function Picker(props: {
  label: Bilingual;
  testId: string;
  options: readonly FilterOption[];
  value: string | number | null;
  onPick: (value: string | null) => void;
}): JSX.Element {
  return (
    <label class="report-picker">
      <span>{t(props.label)}</span>
      <select
        data-testid={props.testId}
        value={props.value === null ? "" : String(props.value)}
        onChange={(e) => {
          const value = (e.currentTarget as HTMLSelectElement).value;
          props.onPick(value === "" ? null : value);
        }}
      >
        <option value="">{t(reportsText.all)}</option>
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {labelOf(option)}
          </option>
        ))}
      </select>
    </label>
  );
}

const toId = (value: string | null): number | null => {
  const n = value === null ? Number.NaN : Number(value);
  return Number.isInteger(n) ? n : null;
};

export function FilterBar(props: {
  query: ReportQuery;
  /** The days now covered, to start a custom range from. */
  range: { from: string; to: string } | null;
  options: FilterOptions | null;
  onChange: (query: ReportQuery) => void;
}): JSX.Element {
  const { query, options } = props;
  const [draft, setDraft] = useState({ from: query.from ?? "", to: query.to ?? "" });
  const [custom, setCustom] = useState(query.preset === "custom");
  const change = (patch: Partial<ReportQuery>): void => props.onChange({ ...query, ...patch });

  const pickPreset = (preset: Preset): void => {
    if (preset !== "custom") {
      setCustom(false);
      change({ preset });
      return;
    }
    setCustom(true);
    const start = { from: query.from ?? props.range?.from ?? "", to: query.to ?? props.range?.to ?? "" };
    setDraft(start);
    if (isDay(start.from) && isDay(start.to) && start.from <= start.to) change({ preset, ...start });
  };
  const editDate = (which: "from" | "to", value: string): void => {
    const next = { ...draft, [which]: value };
    setDraft(next);
    if (isDay(next.from) && isDay(next.to) && next.from <= next.to) change({ preset: "custom", ...next });
  };
  const draftBad = custom && !(isDay(draft.from) && isDay(draft.to) && draft.from <= draft.to);
  const shown: Preset = custom ? "custom" : query.preset;

  return (
    <div class="report-filters" data-testid="filter-bar">
      <div class="report-presets" role="group">
        {PRESETS.map((preset) => (
          <button
            type="button"
            key={preset}
            class={`report-preset${shown === preset ? " on" : ""}`}
            aria-pressed={shown === preset}
            data-testid={`preset-${preset}`}
            onClick={() => pickPreset(preset)}
          >
            {t(presetText[preset])}
          </button>
        ))}
      </div>
      {custom && (
        <div class="report-dates">
          <label class="report-picker">
            <span>{t(reportsText.from)}</span>
            <input
              type="date"
              data-testid="date-from"
              value={draft.from}
              onChange={(e) => editDate("from", (e.currentTarget as HTMLInputElement).value)}
            />
          </label>
          <label class="report-picker">
            <span>{t(reportsText.to)}</span>
            <input
              type="date"
              data-testid="date-to"
              value={draft.to}
              onChange={(e) => editDate("to", (e.currentTarget as HTMLInputElement).value)}
            />
          </label>
          {draftBad && (
            <p class="report-warn" data-testid="bad-range">
              {t(reportsText.badRange)}
            </p>
          )}
        </div>
      )}
      {options !== null && (
        <div class="report-pickers">
          {options.warehouses.length > 1 && (
            <Picker
              label={reportsText.warehouse}
              testId="pick-warehouse"
              options={options.warehouses}
              value={query.warehouseId}
              onPick={(v) => change({ warehouseId: toId(v) })}
            />
          )}
          {options.platforms.length > 0 && (
            <Picker
              label={reportsText.platform}
              testId="pick-platform"
              options={options.platforms}
              value={query.platform}
              onPick={(v) => change({ platform: v })}
            />
          )}
          {options.channels.length > 0 && (
            <Picker
              label={reportsText.channel}
              testId="pick-channel"
              options={options.channels}
              value={query.channelId}
              onPick={(v) => change({ channelId: toId(v) })}
            />
          )}
        </div>
      )}
    </div>
  );
}
