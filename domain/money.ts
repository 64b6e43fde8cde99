/** Money is integer minor units (cents). Never a float. */
export type Cents = number;

const DECIMAL = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/**
 * Parses a decimal amount ("19.99", "0.29", "20", 19.99) into exact cents. Decimal-string arithmetic, not float
 * multiplication: int(19.99 * 100) is 1998.
 */
export function toCents(amount: string | number): Cents {
  const text = typeof amount === 'number' ? numberToPlainString(amount) : amount.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`not a non-negative amount with at most two decimals: ${text}`);
  const [, units, fraction = ''] = match;
  return Number(units) * 100 + Number(fraction.padEnd(2, '0'));
}

/** Cents as a decimal string with two places ("19.99"). */
export function formatCents(cents: Cents): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`invalid cents: ${cents}`);
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** Cents as a JSON number in major units (19.99), for response fields the original typed as float. */
export function centsToMajor(cents: Cents): number {
  return Number(formatCents(cents));
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
  // The shortest round-trip representation of 19.99 is "19.99"; toFixed would round, so reject extra digits instead.
  return String(value);
}

/** ISO 4217 currencies a product may be priced in. */
export const CURRENCIES = ['MXN', 'USD', 'EUR'] as const;
export type Currency = (typeof CURRENCIES)[number];
