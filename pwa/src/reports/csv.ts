// Exporting one table as CSV: the server writes it (all rows, headers in the asked language), the
// phone fetches it with the session's token — a plain <a href> could not carry the Authorization
// header — and saves it through a Blob link named as the server's Content-Disposition says.

import { errorOf } from "../app/api";
import { NetworkError } from "../sync/transport";

export interface CsvDeps {
  readonly fetch: typeof fetch;
  /** The session's bearer token (null: ask without one and let the server refuse). */
  readonly token: () => Promise<string | null>;
  readonly baseUrl?: string;
  readonly document?: Document;
  readonly urls?: Pick<typeof URL, "createObjectURL" | "revokeObjectURL">;
  readonly timeoutMs?: number;
}

/** The file name from `attachment; filename*=UTF-8''%E9%94%80…` or `filename="sales.csv"`. */
export function fileNameOf(disposition: string | null, fallback: string): string {
  let name: string | null = null;
  const extended = /filename\*\s*=\s*(?:[\w-]+)?'[^']*'([^;]+)/i.exec(disposition ?? "");
  if (extended?.[1] !== undefined) {
    try {
      name = decodeURIComponent(extended[1].trim().replace(/^"|"$/g, ""));
    } catch {
      name = null;
    }
  }
  if (name === null) {
    const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(disposition ?? "");
    name = (plain?.[2] ?? plain?.[1] ?? "").trim() || null;
  }
  const safe = (name ?? "").replace(/[/\\:*?"<>|\u0000-\u001f]/g, "_").trim();
  return safe === "" ? fallback : safe;
}

/** Fetches `path` as CSV and hands it to the browser as a download; resolves to the file name. */
export async function downloadCsv(deps: CsvDeps, path: string, fallbackName: string): Promise<string> {
  const headers: Record<string, string> = { Accept: "text/csv" };
  const token = await deps.token();
  if (token !== null) headers["Authorization"] = `Bearer ${token}`;
  let response: Response;
  try {
    response = await deps.fetch(`${deps.baseUrl ?? ""}${path}`, {
      method: "GET",
      headers,
      signal: AbortSignal.timeout(deps.timeoutMs ?? 60_000),
    });
  } catch (error: unknown) {
    throw new NetworkError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (!response.ok) {
    let body: unknown = null;
    try {
      body = JSON.parse(await response.text());
    } catch {
      body = null;
    }
    throw errorOf(response.status, body);
  }
  const blob = await response.blob();
  const name = fileNameOf(response.headers.get("Content-Disposition"), fallbackName);
  const urls = deps.urls ?? URL;
  const doc = deps.document ?? document;
  const href = urls.createObjectURL(blob);
  const link = doc.createElement("a");
  link.href = href;
  link.download = name;
  link.rel = "noopener";
  link.style.display = "none";
  doc.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the save on some browsers; the Blob is freed a little later.
  setTimeout(() => urls.revokeObjectURL(href), 10_000);
  return name;
}
