// RFC 3339 times (SPEC.md §2): an op's `wall_time` is the device's local wall clock with its
// offset (audit only: a person reads "10:02+08:00"), the server's `server_time` is read back to ms.

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** `2026-11-30T16:00:00+08:00`; milliseconds are written only when not zero. */
export function formatWallTime(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000);
  const date = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const fraction = local.getUTCMilliseconds() === 0 ? "" : `.${pad(local.getUTCMilliseconds(), 3)}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction}`;
  const sign = offsetMinutes < 0 ? "-" : "+";
  const offset = Math.abs(offsetMinutes);
  return `${date}T${time}${sign}${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`;
}

/** Milliseconds of an RFC 3339 time, or null when the text is not one. */
export function parseRfc3339(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
