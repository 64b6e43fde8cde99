/**
 * RouterOS time values: input as `1h30m`, `1w2d`, `01:30:00`, `1d 02:00:00` or bare seconds; printed normalised, e.g.
 * `1h30m`, `0s`, as RouterOS prints them. Returns undefined for anything else.
 */
export function parseDurationSeconds(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const clock = /^(?:(\d+)d\s*)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(value);
  if (clock) return Number(clock[1] ?? 0) * 86400 + Number(clock[2]) * 3600 + Number(clock[3]) * 60 + Number(clock[4]);
  const units = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!units || value === '') return undefined;
  const [w, d, h, m, s] = units.slice(1).map((part) => Number(part ?? 0));
  return w * 604800 + d * 86400 + h * 3600 + m * 60 + s;
}

export function formatDuration(totalSeconds: number): string {
  if (totalSeconds === 0) return '0s';
  let rest = totalSeconds;
  let text = '';
  for (const [unit, size] of [['w', 604800], ['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) text += `${count}${unit}`;
  }
  return text;
}
