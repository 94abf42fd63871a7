// The notification centre (#/notifications): what pushes brought and what the server lists, newest
// first, readable with no network. A tap marks it read and opens its screen.

import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { navigate, parseHash } from "../app/router";
import type { ScreenProps } from "../app/routes";
import { useShell } from "../app/shell";
import { t, type Bilingual } from "../i18n/i18n";
import { asOfTime } from "../manager/last-view";
import { Button, Notice, Screen } from "../ui/kit";
import { openNotice, readEverything } from "./centre";
import { noticesChanged, noticesDb, noticesTouched, refreshNotices } from "./live";
import { centreText } from "./messages";
import { routeOf } from "./payload";
import { listNotices, type NoticeRecord } from "./store";
import "./notices.css";

/** Shows a notification's screen: its URL as a hash route. */
export function openRoute(url: string): void {
  const { name, args } = parseHash(routeOf(url));
  navigate(name, ...args);
}

export function NoticesScreen(_props: ScreenProps): JSX.Element {
  const shell = useShell();
  const api = shell.services.api;
  const [rows, setRows] = useState<readonly NoticeRecord[] | null>(null);
  const [offline, setOffline] = useState(false);
  const [problem, setProblem] = useState<Bilingual | null>(null);
  const [loading, setLoading] = useState(false);
  const changed = noticesChanged.value;

  const load = useCallback(async (): Promise<void> => {
    try {
      setRows(await listNotices(await noticesDb()));
    } catch {
      setProblem(centreText.storageError);
      setRows([]);
    }
  }, []);

  const refresh = useCallback(async (): Promise<void> => {
    setLoading(true);
    try {
      const result = await refreshNotices(shell);
      setOffline(result.offline);
      setProblem(result.error);
    } catch {
      setProblem(centreText.storageError);
    }
    setLoading(false);
  }, [shell]);

  useEffect(() => {
    void load();
  }, [load, changed]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const tap = async (row: NoticeRecord): Promise<void> => {
    try {
      await openNotice(await noticesDb(), api, row.key, Date.now);
      void noticesTouched();
    } catch {
      // unreadable storage: still open it
    }
    openRoute(row.url);
  };

  const readAll = async (): Promise<void> => {
    await readEverything(await noticesDb(), api, Date.now);
    await noticesTouched();
  };

  const unread = rows?.some((row) => row.readAt === null) ?? false;
  return (
    <Screen title={t(centreText.title)} testId="notices-screen" onBack={() => navigate("")}>
      <div class="actions">
        <Button kind="secondary" testId="notices-refresh" disabled={loading} onClick={() => void refresh()}>
          {t(loading ? centreText.refreshing : centreText.refresh)}
        </Button>
        <Button kind="secondary" testId="notices-read-all" disabled={!unread} onClick={() => void readAll()}>
          {t(centreText.markAll)}
        </Button>
      </div>
      {offline && (
        <Notice tone="warn" testId="notices-offline">
          {t(centreText.offline)}
        </Notice>
      )}
      {problem !== null && (
        <Notice tone="warn" testId="notices-error">
          {t(problem)}
        </Notice>
      )}
      {rows !== null && rows.length === 0 && <p class="notices-empty">{t(centreText.empty)}</p>}
      {rows !== null && rows.length > 0 && (
        <ul class="list notices-list" data-testid="notices-list">
          {rows.map((row) => (
            <li key={row.key} class={row.readAt === null ? "notice-row notice-unread" : "notice-row"}>
              <button
                type="button"
                class="notice-open"
                data-testid="notice-item"
                data-key={row.key}
                data-unread={row.readAt === null ? "1" : "0"}
                onClick={() => void tap(row)}
              >
                <span class="notice-head">
                  {row.readAt === null && <span class="notice-dot" aria-label={t(centreText.unread)} />}
                  <strong class="notice-title">{t(row.title)}</strong>
                  <span class="notice-time">{asOfTime(row.at)}</span>
                </span>
                {t(row.body) !== "" && <span class="notice-body">{t(row.body)}</span>}
                {row.count > 1 && <span class="notice-count">{t(centreText.summary, { n: row.count })}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Screen>
  );
}
