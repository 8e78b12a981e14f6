import { useEffect, useState } from "react";

/**
 * `value`, updated only after it has stayed the same for `ms`: for views that walk the whole
 * document (marks list, tagged text), so that they do not run on every keystroke.
 */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
