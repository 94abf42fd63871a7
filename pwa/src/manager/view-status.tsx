// The line above a server-read view: when it is from, whether it is the offline copy, and the
// refresh button (the phone-friendly stand-in for pull-to-refresh).

import type { JSX } from "preact";
import { t } from "../i18n/i18n";
import { Button, Notice } from "../ui/kit";
import { asOfTime, type ViewState } from "./last-view";
import { viewText } from "./messages";

export function ViewStatus(props: { view: ViewState<unknown>; onRefresh: () => void }): JSX.Element {
  const { view } = props;
  return (
    <div class="view-status">
      <div class="view-status-row">
        <span data-testid="as-of">
          {view.at === null
            ? t(view.loading ? viewText.loading : viewText.nothingYet)
            : t(view.offline ? viewText.asOfOffline : viewText.asOf, { time: asOfTime(view.at) })}
        </span>
        <Button kind="secondary" onClick={props.onRefresh} disabled={view.loading} testId="refresh">
          {t(view.loading ? viewText.refreshing : viewText.refresh)}
        </Button>
      </div>
      {view.offline && (
        <Notice tone="warn" testId="offline">
          {t(view.data === null ? viewText.offlineNothing : viewText.offlineKept)}
        </Notice>
      )}
      {view.error !== null && (
        <Notice tone="bad" testId="view-error">
          {t(view.error)}
        </Notice>
      )}
    </div>
  );
}
