// Look up: scan anything and see what it is, where it is and how many. Items, bins and lots are
// answered from the phone's own data (offline too); orders, waybills, purchase orders and totes are
// not kept on the phone, so they are asked of the server when online — as is a code the phone does
// not know, for a second opinion (another warehouse's bin, a near miss). Feedback (beep) follows
// the device's answer at once; the server's answer is shown when it comes.

import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { ScreenProps } from "../../app/routes";
import { useServices, type AppServices } from "../../app/services";
import { lang, t, type Bilingual } from "../../i18n/i18n";
import { scanBus, type ScanEvent } from "../../scan/events";
import { navigate } from "../../app/router";
import { scanLatency } from "../../scan/latency";
import { resolveScan } from "../../scan/resolve";
import type { LabelLot, Resolved } from "../../scan/resolved";
import type { SkuRow } from "../../store/records";
import { feedback } from "../../ui/feedback";
import { Button, Fact, ManualEntry, Notice, Prompt, Screen } from "../../ui/kit";
import { lookupView, type LookupView, type Place, type Totals } from "./lookup-data";
import { kindText, lookupText as m } from "./messages";
import { askServer, field, type ServerAnswer, type ServerMatch, type ServerResolution } from "./server-answer";

type Asked = ServerAnswer | { readonly state: "asking" } | null;

interface Shown {
  readonly text: string;
  readonly view: LookupView;
  readonly asked: Asked;
}

function nameOf(sku: SkuRow): string {
  const en = sku.name_en.trim();
  const zh = sku.name_zh.trim();
  return lang.value === "en" ? en || zh : zh || en;
}

/** Worth a second opinion from the server: not something the phone already knows is broken. */
function askAboutUnknown(resolved: Resolved): boolean {
  return resolved.kind === "unknown" && (resolved.why === "not_found" || resolved.why === "check_digit_wrong");
}

export function LookupScreen(_props: ScreenProps): JSX.Element {
  const services = useServices();
  const [shown, setShown] = useState<Shown | null>(null);
  const [busy, setBusy] = useState(false);
  const latest = useRef(0);

  const ask = (services: AppServices, text: string, scan: number): void => {
    if (!services.syncState.value.online) {
      setShown((s) => (s === null ? s : { ...s, asked: { state: "offline" } }));
      return;
    }
    setShown((s) => (s === null ? s : { ...s, asked: { state: "asking" } }));
    void askServer(services, text, services.session.value?.warehouseId ?? null).then((asked) => {
      if (latest.current === scan) setShown((s) => (s === null ? s : { ...s, asked }));
    });
  };

  useEffect(
    () =>
      scanBus.subscribe((event: ScanEvent) => {
        const scan = ++latest.current;
        setBusy(true);
        void (async () => {
          const resolved = await resolveScan(services.db, event.text);
          if (latest.current !== scan) return;
          feedback(resolved.kind === "unknown" ? "bad" : "good");
          scanLatency.record(event.at);
          const view = await lookupView(services.db, resolved);
          if (latest.current !== scan) return;
          setBusy(false);
          setShown({ text: event.text, view, asked: null });
          if (view.kind === "remote" || askAboutUnknown(resolved)) ask(services, event.text, scan);
        })();
      }),
    [services],
  );

  const choose = (candidate: Resolved): void => {
    const scan = ++latest.current;
    void lookupView(services.db, candidate).then((view) => {
      if (latest.current === scan) setShown((s) => ({ text: s?.text ?? candidate.text, view, asked: null }));
    });
  };

  return (
    <Screen title={t(m.title)} onBack={() => navigate("")} testId="lookup-screen">
      <Prompt>{t(m.prompt)}</Prompt>
      {busy && shown === null && <Notice tone="info">{t(m.looking)}</Notice>}
      {shown !== null && <Result shown={shown} onChoose={choose} />}
      <ManualEntry />
    </Screen>
  );
}

function Result(props: { shown: Shown; onChoose: (c: Resolved) => void }): JSX.Element {
  const { view, asked, text } = props.shown;
  switch (view.kind) {
    case "sku":
      return <SkuResult view={view} />;
    case "location":
      return (
        <div data-testid="lookup-result" data-kind="location">
          <Notice tone="good">{t(m.isBin, { code: view.location.code })}</Notice>
          {view.location.barcode !== null && <Fact label={m.barcode}>{view.location.barcode}</Fact>}
          <Fact label={m.type}>{view.location.type}</Fact>
          {view.location.frozen && <Notice tone="warn">{t(m.frozen)}</Notice>}
          <Places title={m.contents} places={view.places} show="sku" totals={view.totals} />
        </div>
      );
    case "lot":
      return (
        <div data-testid="lookup-result" data-kind="lot">
          <Notice tone="good">{t(m.isLot, { lot: view.lot.lot_number })}</Notice>
          <Fact label={m.item}>{view.sku === null ? `#${view.lot.sku_id}` : `${view.sku.code} · ${nameOf(view.sku)}`}</Fact>
          <Fact label={m.expires}>{view.lot.expires_on ?? "—"}</Fact>
          {view.lot.manufactured_on !== null && <Fact label={m.made}>{view.lot.manufactured_on}</Fact>}
          <Places title={m.where} places={view.places} show="location" totals={view.totals} />
        </div>
      );
    case "remote": {
      const title = {
        tote: m.isTote,
        order: m.isOrder,
        waybill: m.isWaybill,
        purchase_order: m.isPurchaseOrder,
      }[view.what];
      return (
        <div data-testid="lookup-result" data-kind={view.what}>
          <Notice tone="good">{t(title, { code: view.code })}</Notice>
          {view.location !== null && (
            <Places title={m.contents} places={view.places} show="sku" totals={null} />
          )}
          <ServerPart asked={asked} found={false} />
        </div>
      );
    }
    case "ambiguous":
      return (
        <div data-testid="lookup-result" data-kind="ambiguous">
          <Notice tone="warn">{t(m.ambiguous, { n: view.candidates.length })}</Notice>
          <ul class="list">
            {view.candidates.map((candidate, i) => (
              <li key={i}>
                <Button kind="secondary" onClick={() => props.onChoose(candidate)} testId={`candidate-${i}`}>
                  {candidateLabel(candidate)}
                </Button>
              </li>
            ))}
          </ul>
        </div>
      );
    case "unknown":
      return (
        <div data-testid="lookup-result" data-kind="unknown">
          <Notice tone="bad">
            {t(m.unknown, { code: text.trim() })}: {t(view.resolved.reason)}
          </Notice>
          <ServerPart asked={asked} found />
        </div>
      );
  }
}

function candidateLabel(candidate: Resolved): string {
  const kind = t(kindText[candidate.kind]);
  switch (candidate.kind) {
    case "sku":
      return `${kind}: ${candidate.sku.code} · ${nameOf(candidate.sku)}`;
    case "location":
      return `${kind}: ${candidate.location.code}`;
    case "lot":
      return `${kind}: ${candidate.lot.lot_number}${candidate.sku === null ? "" : ` · ${candidate.sku.code}`}`;
    case "tote":
      return `${kind}: ${candidate.code}`;
    default:
      return `${kind}: ${candidate.text}`;
  }
}

function SkuResult(props: { view: LookupView & { kind: "sku" } }): JSX.Element {
  const { view } = props;
  const { sku } = view;
  return (
    <div data-testid="lookup-result" data-kind="sku">
      <Notice tone="good">
        <span data-testid="lookup-name">{nameOf(sku)}</span>
      </Notice>
      <Fact label={m.code}>
        <span data-testid="lookup-code">{sku.code}</span>
      </Fact>
      {view.barcode !== null && <Fact label={m.barcode}>{view.barcode}</Fact>}
      <Fact label={m.pack}>
        <span data-testid="lookup-pack">{view.packQty > 1 ? t(m.packOf, { n: view.packQty, unit: sku.unit }) : t(m.single)}</span>
      </Fact>
      {view.labelLot !== null && <LabelLotFacts label={view.labelLot} />}
      <Places title={m.where} places={view.places} show="location" totals={view.totals} />
    </div>
  );
}

function LabelLotFacts(props: { label: LabelLot }): JSX.Element {
  const { label } = props;
  const number = label.lotNumber;
  return (
    <>
      {number !== null && (
        <Fact label={m.labelLot}>{label.lot === null ? t(m.newLot, { lot: number }) : number}</Fact>
      )}
      {label.expiresOn !== null && <Fact label={m.expires}>{label.expiresOn}</Fact>}
      {label.manufacturedOn !== null && <Fact label={m.made}>{label.manufacturedOn}</Fact>}
      {label.expiryDiffers === true && label.lot !== null && (
        <Notice tone="warn" testId="lookup-expiry-differs">
          {t(m.expiryDiffers, { label: label.expiresOn ?? "", stored: label.lot.expires_on ?? "" })}
        </Notice>
      )}
    </>
  );
}

function placeQty(place: Place): string {
  return place.reserved !== 0
    ? t(m.placeReserved, { qty: place.onHand, reserved: place.reserved, available: place.available })
    : t(m.placeLine, { qty: place.onHand, available: place.available });
}

/** Bins holding a SKU or lot (`show` location), or a bin's contents (`show` sku). */
function Places(props: { title: Bilingual; places: readonly Place[]; show: "location" | "sku"; totals: Totals | null }): JSX.Element {
  const { places, show, totals } = props;
  return (
    <section data-testid="lookup-places">
      <h2 class="fact-label">{t(props.title)}</h2>
      {places.length === 0 ? (
        <p data-testid="lookup-none">{t(show === "location" ? m.nowhere : m.empty)}</p>
      ) : (
        <ul class="list">
          {places.map((place) => (
            <li key={place.key} data-testid="lookup-place">
              <strong data-testid="lookup-place-name">
                {show === "location"
                  ? (place.location?.code ?? t(m.unknownBin, { id: place.locationId }))
                  : place.sku === null
                    ? t(m.unknownSku, { id: place.skuId })
                    : `${place.sku.code} · ${nameOf(place.sku)}`}
              </strong>
              {place.lot !== null && (
                <span>
                  {" "}
                  · {t(m.lot)} {place.lot.lot_number}
                  {place.lot.expires_on !== null && ` (${t(m.expires)} ${place.lot.expires_on})`}
                </span>
              )}
              <div data-testid="lookup-place-qty">{placeQty(place)}</div>
            </li>
          ))}
        </ul>
      )}
      {totals !== null && places.length > 1 && (
        <>
          <Fact label={m.onHand}>
            <span data-testid="lookup-total">{totals.onHand}</span>
          </Fact>
          <Fact label={m.available}>
            <span data-testid="lookup-available">{totals.available}</span>
          </Fact>
        </>
      )}
    </section>
  );
}

/** The server's answer for what the phone cannot tell; `found` words it as a second opinion. */
function ServerPart(props: { asked: Asked; found: boolean }): JSX.Element | null {
  const { asked } = props;
  if (asked === null) return null;
  switch (asked.state) {
    case "asking":
      return <Notice tone="info" testId="server-answer">{t(m.asking)}</Notice>;
    case "offline":
      return props.found ? null : <Notice tone="warn" testId="server-answer">{t(m.needsNetwork)}</Notice>;
    case "failed":
      return <Notice tone="warn" testId="server-answer">{t(m.serverFailed, { reason: t(asked.text) })}</Notice>;
    case "answer":
      return <ServerResolutionView resolution={asked.resolution} secondOpinion={props.found} />;
  }
}

function ServerResolutionView(props: { resolution: ServerResolution; secondOpinion: boolean }): JSX.Element | null {
  const r = props.resolution;
  const message: Bilingual = { en: r.message ?? "", zh: r.message_zh ?? "" };
  if (r.kind === "unknown") {
    const suggestions = r.suggestions ?? [];
    if (props.secondOpinion && suggestions.length === 0 && r.reason === "not_found") return null;
    return (
      <div data-testid="server-answer">
        {!props.secondOpinion && t(message) !== "" && <Notice tone="warn">{t(message)}</Notice>}
        {props.secondOpinion && r.reason === "other_warehouse" && <Notice tone="warn">{t(message)}</Notice>}
        {suggestions.length > 0 && (
          <>
            <h2 class="fact-label">{t(m.suggestions)}</h2>
            <ul class="list">
              {suggestions.map((s) => (
                <li key={`${s.kind}:${s.id}:${s.code}`}>
                  {t(kindText[s.kind as keyof typeof kindText] ?? kindText.unknown)}: <strong>{s.code}</strong>
                  {s.label !== "" && ` · ${s.label}`}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    );
  }
  const matches = r.kind === "ambiguous" ? (r.candidates ?? []) : r.match === null || r.match === undefined ? [] : [r.match];
  return (
    <div data-testid="server-answer">
      <p class="fact-label">{t(props.secondOpinion ? m.serverKnows : m.serverSays)}</p>
      {r.kind === "ambiguous" && t(message) !== "" && <Notice tone="warn">{t(message)}</Notice>}
      {matches.map((match, i) => (
        <ServerMatchFacts key={i} match={match} />
      ))}
    </div>
  );
}

function Facts(props: { rows: readonly [Bilingual, string][]; children?: ComponentChildren }): JSX.Element {
  return (
    <div class="facts">
      {props.rows
        .filter(([, value]) => value !== "")
        .map(([label, value]) => (
          <Fact key={label.en} label={label}>
            {value}
          </Fact>
        ))}
      {props.children}
    </div>
  );
}

function ServerMatchFacts(props: { match: ServerMatch }): JSX.Element {
  const { match } = props;
  switch (match.kind) {
    case "order":
      return (
        <Facts
          rows={[
            [m.order, `${field(match, "platform_order_no")}`],
            [m.status, field(match, "status")],
            [m.channel, field(match, "channel_name")],
          ]}
        />
      );
    case "waybill":
      return (
        <Facts
          rows={[
            [kindText.waybill, field(match, "waybill_no")],
            [m.carrier, field(match, "carrier_code")],
            [m.status, field(match, "status")],
            [m.order, field(match, "platform_order_no")],
          ]}
        />
      );
    case "purchase_order":
      return (
        <Facts
          rows={[
            [kindText.purchase_order, field(match, "code")],
            [m.status, field(match, "status")],
            [m.supplier, field(match, "supplier_name")],
            [m.expected, field(match, "expected_on")],
          ]}
        />
      );
    case "tote":
      return <Facts rows={[[kindText.tote, field(match, "code")]]} />;
    case "bin":
      return (
        <Facts
          rows={[
            [kindText.bin, field(match, "code")],
            [m.warehouse, field(match, "warehouse_code")],
          ]}
        />
      );
    case "lot":
      return (
        <Facts
          rows={[
            [kindText.lot, field(match, "lot_number")],
            [m.item, `${field(match, "sku_code")} ${field(match, "name_zh")}`.trim()],
            [m.expires, field(match, "expires_on")],
          ]}
        />
      );
    case "sku":
      return (
        <Facts
          rows={[
            [kindText.sku, field(match, "sku_code")],
            [m.name, lang.value === "en" ? field(match, "name_en") || field(match, "name_zh") : field(match, "name_zh")],
            [m.pack, field(match, "pack_qty")],
          ]}
        />
      );
  }
}
