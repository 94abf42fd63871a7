// A value the UI can watch: `get()` now, `subscribe()` for every later change. No library: the
// sync state is one small object.

export type Listener<T> = (value: T) => void;

export class Observable<T> {
  #value: T;
  readonly #listeners = new Set<Listener<T>>();

  constructor(initial: T) {
    this.#value = initial;
  }

  get(): T {
    return this.#value;
  }

  /** Calls `listener` with the current value at once, then on every change; returns the unsubscribe. */
  subscribe(listener: Listener<T>): () => void {
    this.#listeners.add(listener);
    listener(this.#value);
    return () => this.#listeners.delete(listener);
  }

  set(value: T): void {
    this.#value = value;
    for (const listener of [...this.#listeners]) listener(value);
  }

  update(change: (value: T) => T): void {
    this.set(change(this.#value));
  }
}
