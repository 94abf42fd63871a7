// The supervisor's exceptions queue (异常处理): everything on the floor that needs a person, grouped
// by kind with counts. Each item opens to its refs and the buttons that settle it; a button calls
// the endpoint the server named for it and the queue is fetched again (settled items drop off).
// Offline, the last queue fetched is shown "as of" its time, and nothing can be acted on.

import type { JSX } from "preact";
import { useCallback, useState } from "preact/hooks";
import { ApiError } from "../app/api";
import { navigate } from "../app/router";
import type { ScreenProps } from "../app/routes";
import { useServices } from "../app/services";
import { t, type Bilingual } from "../i18n/i18n";
import { asOfTime, useLiveView, viewKey } from "../manager/last-view";
import { ViewStatus } from "../manager/view-status";
import { NetworkError } from "../sync/transport";
import { Button, Fact, Notice, Screen, type Tone } from "../ui/kit";
import { kindText, queueText } from "./messages";
import { queuePath, type Queue, type QueueAction, type QueueItem } from "./queue-types";
import { actionRequest, canRun, groupQueue, takesNote } from "./queue-view";
import "../manager/report.css";
import "./queue.css";

interface Outcome {
  readonly tone: Tone;
  readonly text: string;
}

function Refs({ item }: { item: QueueItem }): JSX.Element {
  const r = item.refs;
  const facts: [Bilingual, string | number | undefined][] = [
    [queueText.bin, r.location_code],
    [queueText.sku, r.sku_code],
    [queueText.lot, r.lot_number],
    [queueText.qty, r.qty],
    [queueText.order, r.order_no],
    [queueText.task, r.task_id],
    [queueText.reference, r.reference],
    [queueText.who, item.username ?? undefined],
    [queueText.device, item.device_name ?? item.device_id ?? undefined],
    [queueText.when, asOfTime(Date.parse(item.at))],
  ];
  return (
    <div class="queue-refs">
      {facts
        .filter(([, value]) => value !== undefined && value !== "")
        .map(([label, value]) => (
          <Fact key={label.en} label={label}>
            {value}
          </Fact>
        ))}
    </div>
  );
}

function ItemDetail(props: {
  item: QueueItem;
  offline: boolean;
  busy: boolean;
  onRun: (action: QueueAction, note: string) => void;
}): JSX.Element {
  const { item } = props;
  const [note, setNote] = useState("");
  const detail = t(item.detail);
  return (
    <div class="queue-detail" data-testid="item-detail">
      {detail !== "" && detail !== t(item.title) && <p class="queue-detail-text">{detail}</p>}
      <Refs item={item} />
      {item.actions.length === 0 && <p class="report-muted">{t(queueText.noActions)}</p>}
      {item.actions.length > 0 && props.offline && <Notice tone="warn">{t(queueText.offlineActions)}</Notice>}
      {item.actions.length > 0 && takesNote(item) && (
        <input
          class="queue-note"
          type="text"
          data-testid="note"
          placeholder={t(item.actions.some((a) => a.note_required) ? queueText.noteRequired : queueText.note)}
          value={note}
          onInput={(e) => setNote((e.currentTarget as HTMLInputElement).value)}
        />
      )}
      {item.actions.length > 0 && (
        <div class="queue-actions">
          {item.actions.map((action) => (
            <Button
              key={action.name}
              kind={action.danger ? "danger" : action === item.actions[0] ? "primary" : "secondary"}
              disabled={props.offline || props.busy || !canRun(action, note)}
              onClick={() => props.onRun(action, note)}
              testId={`action-${action.name}`}
            >
              {t(action.label)}
            </Button>
          ))}
        </div>
      )}
    </div>
  );
}

export function SupervisorScreen(_props: ScreenProps): JSX.Element {
  const services = useServices();
  const session = services.session.value;
  const warehouseId = session !== null && session.warehouseId > 0 ? session.warehouseId : null;
  const fetcher = useCallback(() => services.api<Queue>("GET", queuePath(warehouseId)), [services, warehouseId]);
  const view = useLiveView(viewKey("exceptions", session?.userId ?? 0, warehouseId), fetcher);
  const [open, setOpen] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const run = async (action: QueueAction, note: string): Promise<void> => {
    const request = actionRequest(action, note);
    setBusy(true);
    setOutcome(null);
    try {
      await services.api<unknown>(request.method, request.path, request.body);
      setOutcome({ tone: "good", text: t(queueText.done, { action: t(action.label) }) });
      setOpen(null);
      await view.refresh();
    } catch (error: unknown) {
      if (error instanceof NetworkError) setOutcome({ tone: "bad", text: t(queueText.failedOffline) });
      else if (error instanceof ApiError) setOutcome({ tone: "bad", text: t(error.text) });
      else setOutcome({ tone: "bad", text: String(error) });
    } finally {
      setBusy(false);
    }
  };

  const queue = view.data;
  const groups = queue === null ? [] : groupQueue(queue);
  return (
    <Screen title={t(queueText.title)} testId="supervisor-screen" onBack={() => navigate("")}>
      <ViewStatus view={view} onRefresh={() => void view.refresh()} />
      {outcome !== null && (
        <Notice tone={outcome.tone} testId="action-outcome">
          {outcome.text}
        </Notice>
      )}
      {queue !== null && queue.total === 0 && (
        <Notice tone="good" testId="queue-empty">
          {t(queueText.empty)}
        </Notice>
      )}
      {queue !== null && queue.total > 0 && (
        <p class="report-muted" data-testid="queue-total">
          {t(queueText.total, { n: queue.total })}
        </p>
      )}
      {queue !== null && queue.items.length < queue.total && (
        <p class="report-muted">{t(queueText.more, { shown: queue.items.length, n: queue.total })}</p>
      )}
      {groups.map((group) => (
        <section key={group.kind} class="queue-group" data-testid={`group-${group.kind}`}>
          <h2>
            {t(kindText[group.kind])}{" "}
            <span class="queue-count" data-testid={`count-${group.kind}`}>
              {group.count}
            </span>
          </h2>
          <ul class="list">
            {group.items.map((item) => {
              const expanded = open === item.id;
              return (
                <li key={item.id} data-testid={`item-${item.id}`} class="queue-item">
                  <button
                    type="button"
                    class="queue-item-head"
                    aria-expanded={expanded}
                    onClick={() => setOpen(expanded ? null : item.id)}
                  >
                    <span class="queue-item-title">{t(item.title)}</span>
                    <span class="queue-item-when">{asOfTime(Date.parse(item.at))}</span>
                  </button>
                  {expanded && (
                    <ItemDetail
                      item={item}
                      offline={view.offline}
                      busy={busy}
                      onRun={(action, note) => void run(action, note)}
                    />
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </Screen>
  );
}
