// A text/event-stream parser (the WHATWG "server-sent events" rules): lines end in CRLF, LF or
// CR, `:` starts a comment (the poke stream's heartbeat), `event:` names the event, `data:` lines
// are joined with "\n", and a blank line dispatches. Chunks may split anywhere, even inside CRLF.

export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

export class SseParser {
  #line = "";
  #event = "";
  #data: string[] = [];
  #id: string | null = null;
  #afterCr = false;
  /** The server's `retry:` advice (ms), if it gave one. */
  retryMs: number | null = null;

  feed(chunk: string): SseEvent[] {
    const events: SseEvent[] = [];
    for (const char of chunk) {
      if (this.#afterCr && char === "\n") {
        this.#afterCr = false;
        continue;
      }
      this.#afterCr = char === "\r";
      if (char === "\r" || char === "\n") {
        const event = this.#endLine();
        if (event !== null) events.push(event);
      } else {
        this.#line += char;
      }
    }
    return events;
  }

  #endLine(): SseEvent | null {
    const line = this.#line;
    this.#line = "";
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.#event = value;
    else if (field === "data") this.#data.push(value);
    else if (field === "id" && !value.includes("\0")) this.#id = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.retryMs = Number(value);
    return null;
  }

  #dispatch(): SseEvent | null {
    const event =
      this.#data.length === 0 ? null : { event: this.#event || "message", data: this.#data.join("\n"), id: this.#id };
    this.#event = "";
    this.#data = [];
    return event;
  }
}
