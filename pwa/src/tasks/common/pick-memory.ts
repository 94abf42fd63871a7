// What this phone picked, per task: the task's reference, its line ids and the totes used. The
// item_picked op names only a task line, and a finished task (with its lines) is deleted from the
// phone at the next pull, so without this the pack check could not tell which task a tote held
// (`packing.parcel_verified` needs its `task_id` for a tote) nor which picks belong to it.
// Kept in localStorage (small, synchronous, survives reloads) for as long as the outbox keeps ops.

const KEY = "cangku.pick-memory";
const KEEP_MS = 7 * 24 * 60 * 60 * 1000;

export interface PickedTask {
  readonly taskId: number;
  readonly reference: string;
  readonly lineIds: readonly number[];
  readonly totes: readonly string[];
  /** Device clock (ms) of the last pick noted. */
  readonly at: number;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function isPickedTask(value: unknown): value is PickedTask {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v["taskId"] === "number" &&
    typeof v["reference"] === "string" &&
    Array.isArray(v["lineIds"]) &&
    Array.isArray(v["totes"]) &&
    typeof v["at"] === "number"
  );
}

export function pickedTasks(): PickedTask[] {
  const raw = storage()?.getItem(KEY);
  if (raw === null || raw === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter(isPickedTask) : [];
  } catch {
    return [];
  }
}

/** Notes a pick of the task (into `tote`, if any). */
export function notePick(
  task: { readonly taskId: number; readonly reference: string; readonly lineIds: readonly number[] },
  tote: string | null,
  now = Date.now(),
): void {
  const all = pickedTasks().filter((t) => now - t.at < KEEP_MS);
  const before = all.find((t) => t.taskId === task.taskId);
  const totes = before?.totes ?? [];
  const entry: PickedTask = {
    taskId: task.taskId,
    reference: task.reference,
    lineIds: [...new Set([...(before?.lineIds ?? []), ...task.lineIds])],
    totes: tote === null || totes.includes(tote) ? totes : [...totes, tote],
    at: now,
  };
  const next = [...all.filter((t) => t.taskId !== task.taskId), entry];
  try {
    storage()?.setItem(KEY, JSON.stringify(next));
  } catch {
    // storage full or blocked: the pack check falls back to a blind scan list
  }
}

/** The task most recently picked into the tote. */
export function taskOfTote(tote: string): PickedTask | null {
  const using = pickedTasks().filter((t) => t.totes.includes(tote));
  return using.sort((a, b) => b.at - a.at)[0] ?? null;
}

export function tasksWithReference(reference: string): PickedTask[] {
  return pickedTasks().filter((t) => t.reference === reference);
}

export function forgetPickMemory(): void {
  try {
    storage()?.removeItem(KEY);
  } catch {
    // nothing to forget
  }
}
