// The current time for "3 min ago" labels, re-read on a timer so they stay true while on screen.

import { useEffect, useState } from "preact/hooks";

export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
