// Whether the person is in the middle of a task. A new app version is applied only at a task
// boundary (never swapped under a picker mid-task), and logout warns while a task is open.

import { computed, signal } from "@preact/signals";

const open = signal<ReadonlySet<string>>(new Set());

/** True while any screen holds a task open. */
export const inTask = computed(() => open.value.size > 0);

/** A screen calls this when a task starts; the returned function ends it (call it on unmount too). */
export function beginTask(key: string): () => void {
  open.value = new Set([...open.value, key]);
  return () => {
    const next = new Set(open.value);
    next.delete(key);
    open.value = next;
  };
}
