// Push rules (#/push-rules, 推送规则): a manager decides which events notify whom, how urgently, and
// with which thresholds — for all warehouses, or one warehouse's own settings. Each rule is a card
// saved on its own (PUT), so a refusal names that rule and the field beside which it is shown. The
// rules live on the server only: offline the screen says so and edits nothing.

import type { JSX } from "preact";
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { navigate } from "../app/router";
import type { ScreenProps } from "../app/routes";
import { useServices } from "../app/services";
import { t, type Bilingual } from "../i18n/i18n";
import { asOfTime } from "../manager/last-view";
import { Button, Notice, Screen } from "../ui/kit";
import {
  listRules,
  listWarehouses,
  problemOf,
  resetRule,
  ROLES,
  saveRule,
  URGENCIES,
  warehouseName,
  type Api,
  type Rule,
  type WarehouseOption,
} from "./rules-client";
import { choiceText, groupText, named, roleText, rulesText, urgencyText } from "./rules-messages";
import { cardDraft, changesOf, paramFields, type CardDraft, type ParamDraft, type ParamField } from "./rules-params";
import "./rules-screen.css";

type View =
  | { readonly state: "loading" }
  | { readonly state: "offline" }
  | { readonly state: "error"; readonly text: Bilingual }
  | { readonly state: "ready"; readonly scope: number | null; readonly rules: readonly Rule[] };

interface Outcome {
  readonly tone: "good" | "bad" | "warn";
  readonly text: Bilingual;
}

function byGroup(rules: readonly Rule[]): { group: string; rules: Rule[] }[] {
  const groups: { group: string; rules: Rule[] }[] = [];
  for (const rule of rules) {
    let found = groups.find((g) => g.group === rule.group);
    if (found === undefined) {
      found = { group: rule.group, rules: [] };
      groups.push(found);
    }
    found.rules.push(rule);
  }
  return groups;
}

export function RulesScreen(_props: ScreenProps): JSX.Element {
  const { api } = useServices();
  const [warehouses, setWarehouses] = useState<readonly WarehouseOption[]>([]);
  const [scope, setScope] = useState<number | null>(null);
  const [view, setView] = useState<View>({ state: "loading" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    listWarehouses(api).then(
      (found) => live && setWarehouses(found),
      () => undefined, // offline or refused: "All warehouses" still works, the rules say what is wrong
    );
    return () => {
      live = false;
    };
  }, [api, attempt]);

  useEffect(() => {
    let live = true; // an answer for a scope no longer shown is dropped
    setView({ state: "loading" });
    listRules(api, scope).then(
      (rules) => live && setView({ state: "ready", scope, rules }),
      (error: unknown) => {
        if (!live) return;
        const problem = problemOf(error);
        setView(problem.offline ? { state: "offline" } : { state: "error", text: problem.text });
      },
    );
    return () => {
      live = false;
    };
  }, [api, scope, attempt]);

  /** Asks again for the scope shown and takes the one kind from it: the other cards keep their edits. */
  const refresh = useCallback(
    async (kind: string): Promise<void> => {
      const fresh = (await listRules(api, scope)).find((r) => r.kind === kind);
      if (fresh === undefined) return;
      setView((current) =>
        current.state === "ready" && current.scope === scope
          ? { ...current, rules: current.rules.map((r) => (r.kind === kind ? fresh : r)) }
          : current,
      );
    },
    [api, scope],
  );

  const saved = useCallback((rule: Rule): void => {
    setView((current) =>
      current.state === "ready" && current.scope === rule.warehouse_id
        ? { ...current, rules: current.rules.map((r) => (r.kind === rule.kind ? rule : r)) }
        : current,
    );
  }, []);

  const scopeName = scope === null ? null : warehouseName(warehouses, scope);

  return (
    <Screen title={t(rulesText.title)} testId="push-rules-screen" onBack={() => navigate("")}>
      <p class="rules-intro">{t(rulesText.intro)}</p>
      <label class="rules-scope">
        <span>{t(rulesText.warehouse)}</span>
        <select
          data-testid="rules-warehouse"
          value={scope === null ? "" : String(scope)}
          onChange={(e) => {
            const value = (e.currentTarget as HTMLSelectElement).value;
            setScope(value === "" ? null : Number(value));
          }}
        >
          <option value="">{t(rulesText.allWarehouses)}</option>
          {warehouses.map((w) => (
            <option key={w.id} value={String(w.id)}>
              {`${w.code} · ${t(w.name)}`}
            </option>
          ))}
        </select>
        <small data-testid="rules-scope-help">
          {scopeName === null ? t(rulesText.scopeAll) : t(rulesText.scopeOne, { warehouse: t(scopeName) })}
        </small>
      </label>

      {view.state === "loading" && (
        <Notice tone="info" testId="rules-loading">
          {t(rulesText.loading)}
        </Notice>
      )}
      {view.state === "offline" && (
        <Notice tone="warn" testId="rules-offline">
          {t(rulesText.offline)}
        </Notice>
      )}
      {view.state === "error" && (
        <Notice tone="bad" testId="rules-error">
          {t(rulesText.loadFailed, { reason: t(view.text) })}
        </Notice>
      )}
      {(view.state === "offline" || view.state === "error") && (
        <Button kind="secondary" testId="rules-retry" onClick={() => setAttempt((n) => n + 1)}>
          {t(rulesText.retry)}
        </Button>
      )}
      {view.state === "ready" && view.rules.length === 0 && <p class="rules-muted">{t(rulesText.none)}</p>}
      {view.state === "ready" &&
        byGroup(view.rules).map(({ group, rules }) => (
          <section key={group} class="rules-group" data-testid={`rules-group-${group}`}>
            <h2 class="section-title">{t(named(groupText, group))}</h2>
            {rules.map((rule) => (
              <RuleCard
                key={`${view.scope ?? "all"}:${rule.kind}`}
                rule={rule}
                scope={view.scope}
                warehouses={warehouses}
                api={api}
                onSaved={saved}
                refresh={refresh}
              />
            ))}
          </section>
        ))}
    </Screen>
  );
}

function sourceText(rule: Rule, scope: number | null): Bilingual {
  if (rule.source === "warehouse") return rulesText.sourceWarehouse;
  if (rule.source === "default") return scope === null ? rulesText.sourceDefault : rulesText.sourceInherited;
  return rulesText.sourceBuiltIn;
}

/** The scope shown has its own saved row for this kind: only then is there something to forget. */
function canReset(rule: Rule, scope: number | null): boolean {
  return scope === null ? rule.source === "default" : rule.source === "warehouse";
}

function changedAt(rule: Rule): string | null {
  if (rule.updated_at === null || rule.source === "built_in") return null;
  const at = Date.parse(rule.updated_at);
  return Number.isNaN(at) ? null : t(rulesText.changedAt, { time: asOfTime(at) });
}

function FieldError(props: { kind: string; field: string; errors: Readonly<Record<string, Bilingual>> }) {
  const error = props.errors[props.field];
  return error === undefined ? null : (
    <p class="rules-field-error" role="alert" data-testid={`rule-error-${props.kind}-${props.field}`}>
      {t(error)}
    </p>
  );
}

function RuleCard(props: {
  rule: Rule;
  scope: number | null;
  warehouses: readonly WarehouseOption[];
  api: Api;
  onSaved: (rule: Rule) => void;
  refresh: (kind: string) => Promise<void>;
}): JSX.Element {
  const { rule, scope } = props;
  const kind = rule.kind;
  const fields = useMemo(() => paramFields(rule), [rule]);
  // The draft belongs to the rule it was made from: when the rule in effect changes (saved, reset,
  // reloaded) the card shows the new one, with no effect running after a keystroke to undo it.
  const [held, setHeld] = useState<{ basis: Rule; draft: CardDraft }>(() => ({
    basis: rule,
    draft: cardDraft(rule, fields),
  }));
  const draft = held.basis === rule ? held.draft : cardDraft(rule, fields);
  const [errors, setErrors] = useState<Readonly<Record<string, Bilingual>>>({});
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState<"save" | "reset" | null>(null);

  const pending = changesOf(rule, fields, draft);
  const dirty = Object.keys(pending.changes).length > 0 || Object.keys(pending.errors).length > 0;

  const edit = (field: string, change: (draft: CardDraft) => CardDraft): void => {
    setHeld((current) => ({
      basis: rule,
      draft: change(current.basis === rule ? current.draft : cardDraft(rule, fields)),
    }));
    setOutcome(null);
    setErrors((current) => {
      if (current[field] === undefined) return current;
      const { [field]: _gone, ...rest } = current;
      return rest;
    });
  };
  const editParam = (name: string, change: (value: ParamDraft) => ParamDraft): void =>
    edit(`params.${name}`, (d) => ({ ...d, params: { ...d.params, [name]: change(d.params[name] ?? "") } }));
  const toggleRole = (role: string, on: boolean): void =>
    edit("roles", (d) => {
      const chosen = new Set(d.roles);
      if (on) chosen.add(role);
      else chosen.delete(role);
      const known: readonly string[] = ROLES;
      return { ...d, roles: [...known.filter((r) => chosen.has(r)), ...[...chosen].filter((r) => !known.includes(r))] };
    });

  const placeable = (field: string): boolean =>
    field === "roles" ||
    field === "urgency" ||
    (field === "params" && fields.length > 0) ||
    fields.some((f) => `params.${f.name}` === field);

  const save = async (): Promise<void> => {
    const { changes, errors: found } = changesOf(rule, fields, draft);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      setOutcome({ tone: "bad", text: rulesText.fixFields });
      return;
    }
    setBusy("save");
    setErrors({});
    setOutcome(null);
    try {
      props.onSaved(await saveRule(props.api, kind, scope, changes));
      setOutcome({ tone: "good", text: rulesText.saved });
    } catch (error: unknown) {
      const problem = problemOf(error);
      if (problem.offline) setOutcome({ tone: "warn", text: rulesText.offlineChange });
      else if (problem.field !== null && placeable(problem.field)) {
        setErrors({ [problem.field]: problem.text });
        setOutcome({ tone: "bad", text: rulesText.fixFields });
      } else setOutcome({ tone: "bad", text: problem.text });
    }
    setBusy(null);
  };

  const reset = async (): Promise<void> => {
    setBusy("reset");
    setErrors({});
    setOutcome(null);
    try {
      await resetRule(props.api, kind, scope);
      setOutcome({ tone: "good", text: rulesText.resetDone });
      await props.refresh(kind).catch(() => undefined); // the card shows the old values until it can
    } catch (error: unknown) {
      const problem = problemOf(error);
      setOutcome(problem.offline ? { tone: "warn", text: rulesText.offlineChange } : { tone: "bad", text: problem.text });
      if (problem.status === 404) await props.refresh(kind).catch(() => undefined); // already reset elsewhere
    }
    setBusy(null);
  };

  const label = { en: rule.label_en, zh: rule.label_zh };
  const description = { en: rule.description_en, zh: rule.description_zh };
  const changed = changedAt(rule);
  const roles: readonly string[] = [...ROLES, ...rule.roles.filter((r) => !(ROLES as readonly string[]).includes(r))];
  const urgencies: readonly string[] = URGENCIES.includes(draft.urgency as never)
    ? URGENCIES
    : [...URGENCIES, draft.urgency];
  const others = scope === null ? rule.overridden_in : [];

  return (
    <article
      class={`rules-card${draft.enabled ? "" : " rules-card-off"}`}
      data-testid={`rule-${kind}`}
      data-source={rule.source}
    >
      <header class="rules-card-head">
        <h3>{t(label)}</h3>
        <label class="rules-switch">
          <input
            type="checkbox"
            role="switch"
            aria-label={t(rulesText.notify)}
            checked={draft.enabled}
            disabled={busy !== null}
            data-testid={`rule-enabled-${kind}`}
            onChange={(e) => {
              const enabled = (e.currentTarget as HTMLInputElement).checked;
              edit("enabled", (d) => ({ ...d, enabled }));
            }}
          />
          <span>{t(draft.enabled ? rulesText.on : rulesText.off)}</span>
        </label>
      </header>
      <p class="rules-description">{t(description)}</p>
      <p class="rules-muted" data-testid={`rule-source-${kind}`}>
        {t(sourceText(rule, scope))}
        {changed !== null && ` · ${changed}`}
      </p>
      {others.length > 0 && (
        <p class="rules-overridden" data-testid={`rule-overridden-${kind}`}>
          {t(rulesText.overriddenIn, {
            warehouses: others.map((id) => t(warehouseName(props.warehouses, id))).join(t({ en: ", ", zh: "、" })),
          })}{" "}
          {t(rulesText.overriddenNote)}
        </p>
      )}
      {rule.critical && <p class="rules-muted">{t(rulesText.critical)}</p>}

      <fieldset class="rules-fieldset" data-testid={`rule-roles-${kind}`}>
        <legend>{t(rulesText.who)}</legend>
        <div class="rules-choices">
          {roles.map((role) => (
            <label key={role} class="rules-check">
              <input
                type="checkbox"
                checked={draft.roles.includes(role)}
                disabled={busy !== null}
                data-testid={`rule-role-${kind}-${role}`}
                onChange={(e) => toggleRole(role, (e.currentTarget as HTMLInputElement).checked)}
              />
              <span>{t(named(roleText, role))}</span>
            </label>
          ))}
        </div>
        <FieldError kind={kind} field="roles" errors={errors} />
      </fieldset>

      <label class="rules-field">
        <span class="rules-field-label">{t(rulesText.urgency)}</span>
        <select
          value={draft.urgency}
          disabled={busy !== null}
          data-testid={`rule-urgency-${kind}`}
          onChange={(e) => {
            const urgency = (e.currentTarget as HTMLSelectElement).value;
            edit("urgency", (d) => ({ ...d, urgency }));
          }}
        >
          {urgencies.map((u) => (
            <option key={u} value={u}>
              {t(named(urgencyText, u))}
            </option>
          ))}
        </select>
        <small>{t(rulesText.urgencyHelp)}</small>
      </label>
      <FieldError kind={kind} field="urgency" errors={errors} />

      {fields.length > 0 && (
        <div class="rules-params">
          <h4>{t(rulesText.settings)}</h4>
          <FieldError kind={kind} field="params" errors={errors} />
          {fields.map((field) => (
            <ParamInput
              key={field.name}
              kind={kind}
              field={field}
              value={draft.params[field.name] ?? ""}
              disabled={busy !== null}
              onChange={(change) => editParam(field.name, change)}
              errors={errors}
            />
          ))}
        </div>
      )}

      <div class="actions">
        <Button
          kind="primary"
          testId={`rule-save-${kind}`}
          disabled={busy !== null || !dirty}
          onClick={() => void save()}
        >
          {t(busy === "save" ? rulesText.saving : rulesText.save)}
        </Button>
        {canReset(rule, scope) && (
          <Button kind="secondary" testId={`rule-reset-${kind}`} disabled={busy !== null} onClick={() => void reset()}>
            {t(busy === "reset" ? rulesText.resetting : rulesText.reset)}
          </Button>
        )}
      </div>
      {outcome !== null && (
        <Notice tone={outcome.tone} testId={`rule-outcome-${kind}`}>
          {t(outcome.text)}
        </Notice>
      )}
    </article>
  );
}

function ParamInput(props: {
  kind: string;
  field: ParamField;
  value: ParamDraft;
  disabled: boolean;
  /** Changes the draft from its latest value (two taps before a render both count). */
  onChange: (change: (value: ParamDraft) => ParamDraft) => void;
  errors: Readonly<Record<string, Bilingual>>;
}): JSX.Element {
  const { kind, field, value } = props;
  const testId = `rule-param-${kind}-${field.name}`;
  const help = field.help;
  const label = help === null ? field.name : t({ en: help.label_en, zh: help.label_zh });
  const helpText = help === null ? null : t({ en: help.help_en, zh: help.help_zh });
  const text = typeof value === "string" ? value : "";
  const error = <FieldError kind={kind} field={`params.${field.name}`} errors={props.errors} />;

  if (field.type === "boolean") {
    return (
      <div class="rules-param">
        <label class="rules-check">
          <input
            type="checkbox"
            checked={value === true}
            disabled={props.disabled}
            data-testid={testId}
            onChange={(e) => {
              const on = (e.currentTarget as HTMLInputElement).checked;
              props.onChange(() => on);
            }}
          />
          <span class="rules-field-label">{label}</span>
        </label>
        {helpText !== null && <small>{helpText}</small>}
        {error}
      </div>
    );
  }
  if (field.type === "choices") {
    const picked = Array.isArray(value) ? value : [];
    return (
      <fieldset class="rules-fieldset rules-param" data-testid={testId}>
        <legend>{label}</legend>
        <div class="rules-choices">
          {field.options.map((option) => (
            <label key={option} class="rules-check">
              <input
                type="checkbox"
                checked={picked.includes(option)}
                disabled={props.disabled}
                data-testid={`${testId}-${option}`}
                onChange={(e) => {
                  const on = (e.currentTarget as HTMLInputElement).checked;
                  props.onChange((current) => {
                    const rest = (Array.isArray(current) ? current : []).filter((p) => p !== option);
                    return on ? [...rest, option] : rest;
                  });
                }}
              />
              <span>{t(named(choiceText, option))}</span>
            </label>
          ))}
        </div>
        {helpText !== null && <small>{helpText}</small>}
        {error}
      </fieldset>
    );
  }
  return (
    <label class="rules-field rules-param">
      <span class="rules-field-label">{label}</span>
      {field.type === "integer" && (
        <input
          type="number"
          inputMode="numeric"
          step={1}
          {...(field.min === null ? {} : { min: field.min })}
          {...(field.max === null ? {} : { max: field.max })}
          placeholder={field.nullable ? t(rulesText.emptyAllowed) : ""}
          value={text}
          disabled={props.disabled}
          data-testid={testId}
          onInput={(e) => {
            const typed = (e.currentTarget as HTMLInputElement).value;
            props.onChange(() => typed);
          }}
        />
      )}
      {field.type === "list" && (
        <input
          type="text"
          inputMode="text"
          autoComplete="off"
          placeholder={field.times ? t(rulesText.timesPlaceholder) : ""}
          value={text}
          disabled={props.disabled}
          data-testid={testId}
          onInput={(e) => {
            const typed = (e.currentTarget as HTMLInputElement).value;
            props.onChange(() => typed);
          }}
        />
      )}
      {field.type === "other" && (
        <input type="text" readOnly value={text} data-testid={testId} aria-readonly="true" />
      )}
      {helpText !== null && <small>{helpText}</small>}
      {error}
    </label>
  );
}
