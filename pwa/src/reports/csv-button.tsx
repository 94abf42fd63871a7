// A table's "Export CSV" button: busy while the file downloads, disabled with its reason offline,
// and the server's refusal (bilingual) or the saved file's name below it.

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { ApiError } from "../app/api";
import { t, type Bilingual } from "../i18n/i18n";
import { NetworkError } from "../sync/transport";
import { Button } from "../ui/kit";
import { reportsText } from "./messages";

type Outcome = { readonly tone: "good" | "bad"; readonly text: Bilingual; readonly name?: string } | null;

export function CsvButton(props: {
  table: string;
  offline: boolean;
  onDownload: (table: string) => Promise<string>;
}): JSX.Element {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const run = async (): Promise<void> => {
    setBusy(true);
    setOutcome(null);
    try {
      const name = await props.onDownload(props.table);
      setOutcome({ tone: "good", text: reportsText.csvSaved, name });
    } catch (error: unknown) {
      if (error instanceof ApiError) setOutcome({ tone: "bad", text: error.text });
      else if (error instanceof NetworkError) setOutcome({ tone: "bad", text: reportsText.csvFailed });
      else setOutcome({ tone: "bad", text: reportsText.csvFailed });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="report-csv">
      <Button
        kind="secondary"
        onClick={() => void run()}
        disabled={props.offline || busy}
        testId={`csv-${props.table}`}
      >
        {t(busy ? reportsText.csvBusy : reportsText.csv)}
      </Button>
      {props.offline && (
        <span class="report-muted" data-testid={`csv-offline-${props.table}`}>
          {t(reportsText.csvOffline)}
        </span>
      )}
      {outcome !== null && (
        <span
          class={outcome.tone === "bad" ? "report-bad" : "report-muted"}
          role="status"
          data-testid={`csv-outcome-${props.table}`}
        >
          {t(outcome.text, { name: outcome.name ?? "" })}
        </span>
      )}
    </div>
  );
}
