/** RouterOS time values (`1w2d3h4m5s`, `01:30:00`, `1d 02:00:00`, bare seconds), as it prints and accepts them. */

const UNITS = [
  ['w', 604_800],
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
] as const;

const UNIT_FORM = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const CLOCK_FORM = /^(?:(\d+)d\s*)?(\d{1,2}):(\d{2}):(\d{2})$/;

/** Seconds of a RouterOS duration, or undefined for anything else (`none`, an empty value, garbage). */
export function parseRouterDuration(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const clock = CLOCK_FORM.exec(value);
  if (clock) return Number(clock[1] ?? 0) * 86_400 + Number(clock[2]) * 3_600 + Number(clock[3]) * 60 + Number(clock[4]);
  const units = value === '' ? null : UNIT_FORM.exec(value);
  if (!units) return undefined;
  return UNITS.reduce((total, [, size], i) => total + Number(units[i + 1] ?? 0) * size, 0);
}

/** `5400` → `1h30m`: RouterOS' own notation. */
export function formatRouterDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  let rest = seconds;
  let text = '';
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) text += `${count}${unit}`;
  }
  return text;
}
