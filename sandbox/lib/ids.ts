/**
 * Numeric ids that never repeat across restarts of a simulator (`npm run dev` keeps its database while the
 * simulators start afresh, so an id issued again would collide with an old row). The sequence starts at the current
 * time in milliseconds × 1000: a later start is past every id an earlier run issued, unless that run issued more than
 * a thousand ids per millisecond. Stays a safe integer (16 digits) for centuries.
 */
export function idSequence(): () => number {
  let next = Date.now() * 1000;
  return () => next++;
}
