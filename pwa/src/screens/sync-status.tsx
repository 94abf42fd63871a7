// The sync screen: connection, what is waiting, when it last went through, and the recent ops with
// each one's outcome in words (op-outcome.ts). "Sync now" runs a push + pull at once.

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { useNow } from "../app/use-now";
import { relativeTime } from "../app/relative-time";
import { navigate } from "../app/router";
import type { ScreenProps } from "../app/routes";
import { useShell } from "../app/shell";
import { t } from "../i18n/i18n";
import { SYNC_PERMISSION, hasPermission } from "../session/records";
import type { OutboxOp } from "../store/records";
import { Button, Fact, Notice, Screen } from "../ui/kit";
import { syncText } from "./messages";
import { describeOutcome, locationCodes, opLabel, recentOps } from "./op-outcome";

function clockTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function SyncStatusScreen(_props: ScreenProps): JSX.Element {
  const shell = useShell();
  const now = useNow();
  const state = shell.services.syncState.value;
  const session = shell.session.value;
  const [ops, setOps] = useState<readonly OutboxOp[]>([]);
  const [codes, setCodes] = useState<ReadonlyMap<number, string>>(new Map());
  const [running, setRunning] = useState(false);
  const db = shell.services.db;

  // Re-read the outbox whenever the sync state moves (an op recorded, an answer stored).
  useEffect(() => {
    let live = true;
    void (async () => {
      const recent = await recentOps(db);
      const found = await locationCodes(db, recent);
      if (!live) return;
      setOps(recent);
      setCodes(found);
    })();
    return () => {
      live = false;
    };
  }, [db, state.pending, state.lastSyncAt, state.pushing]);

  const offline = !state.online || !shell.browserOnline.value;
  const busy = running || state.pushing || state.pulling;
  const syncs = session !== null && session.deviceId !== "" && hasPermission(session, SYNC_PERMISSION);
  const syncNow = async (): Promise<void> => {
    setRunning(true);
    try {
      await shell.syncNow();
    } finally {
      setRunning(false);
    }
  };

  return (
    <Screen title={t(syncText.title)} testId="sync-screen" onBack={() => navigate("")}>
      {!syncs && <Notice tone="info">{t(syncText.notSyncing)}</Notice>}
      <div class="facts">
        <Fact label={syncText.connection}>
          <span data-testid="sync-connection">{t(offline ? syncText.offline : syncText.online)}</span>
        </Fact>
        <Fact label={syncText.waiting}>
          <span data-testid="sync-pending">{state.pending}</span>
        </Fact>
        <Fact label={syncText.lastSync}>
          <span data-testid="sync-last">
            {state.lastSyncAt === null ? t(syncText.never) : relativeTime(state.lastSyncAt, now)}
          </span>
        </Fact>
        {state.lastError !== null && (
          <Fact label={syncText.lastError}>
            <span data-testid="sync-last-error">
              {t({ en: state.lastError.message, zh: state.lastError.messageZh || state.lastError.message })}
            </span>
          </Fact>
        )}
      </div>
      {syncs && (
        <Button testId="sync-now" disabled={busy} onClick={() => void syncNow()}>
          {t(busy ? syncText.syncing : syncText.syncNow)}
        </Button>
      )}
      <h2 class="section-title">{t(syncText.recent)}</h2>
      {ops.length === 0 ? (
        <p data-testid="sync-no-ops">{t(syncText.none)}</p>
      ) : (
        <ul class="list" data-testid="sync-ops">
          {ops.map((op) => {
            const outcome = describeOutcome(op, codes);
            return (
              <li key={String(op.seq)} data-testid={`op-${op.seq}`} data-status={op.status}>
                <div class="op-head">
                  <strong>{opLabel(op.name)}</strong>
                  <span class="op-meta">
                    #{op.seq} · {clockTime(op.recordedAt)}
                  </span>
                </div>
                <div class={`op-outcome op-${outcome.tone}`} data-testid="op-outcome">
                  {outcome.text}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Screen>
  );
}
