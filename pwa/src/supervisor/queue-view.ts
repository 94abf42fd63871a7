// What the supervisor screen shows and sends, as plain functions (tested without a DOM): the queue
// grouped by kind, and the request an action makes with the person's note.

import { KINDS, type ItemKind, type Queue, type QueueAction, type QueueItem } from "./queue-types";

export interface Group {
  readonly kind: ItemKind;
  /** Every item of the kind on the server, even beyond this page. */
  readonly count: number;
  readonly items: readonly QueueItem[];
}

/** Kinds in the order a supervisor works them, empty kinds left out. */
export function groupQueue(queue: Queue): Group[] {
  return KINDS.map((kind) => {
    const items = queue.items.filter((item) => item.kind === kind);
    return { kind, count: Math.max(queue.counts[kind] ?? 0, items.length), items };
  }).filter((group) => group.count > 0);
}

export function canRun(action: QueueAction, note: string): boolean {
  return !action.note_required || note.trim() !== "";
}

export interface ActionRequest {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown> | undefined;
}

export function actionRequest(action: QueueAction, note: string): ActionRequest {
  if (action.body === null) return { method: action.method, path: action.path, body: undefined };
  const body: Record<string, unknown> = { ...action.body };
  if (action.note_field !== null) body[action.note_field] = note.trim();
  return { method: action.method, path: action.path, body };
}

export function takesNote(item: QueueItem): boolean {
  return item.actions.some((action) => action.note_field !== null);
}
