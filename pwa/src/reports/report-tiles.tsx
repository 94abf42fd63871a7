// The headline figures of a report, two to a row on a phone.

import type { JSX } from "preact";
import { labelOf } from "./labels";
import type { Tile } from "./report-types";
import { formatValue } from "./units";

export function ReportTiles(props: { tiles: readonly Tile[]; timeZone: string }): JSX.Element {
  return (
    <div class="report-tiles" data-testid="report-tiles">
      {props.tiles.map((tile) => (
        <div class="report-tile" key={tile.key} data-testid={`tile-${tile.key}`}>
          <span class="report-tile-label">{labelOf(tile)}</span>
          <span class="report-tile-value" data-testid={`tile-value-${tile.key}`}>
            {formatValue(tile.value, tile.unit, { timeZone: props.timeZone })}
          </span>
        </div>
      ))}
    </div>
  );
}
