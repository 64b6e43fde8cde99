/**
 * Test card numbers of the simulated browser tokenizers: the number typed into the card form picks the scenario of
 * the token issued (`tok_test_<scenario>_…`, see scenarios.ts), as the gateways' own test cards do. Luhn-valid.
 */
import { SCENARIOS, type Scenario } from './scenarios';

function withCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) digit *= 2;
    sum += digit > 9 ? digit - 9 : digit;
  }
  return body + String((10 - (sum % 10)) % 10);
}

/** `4242 4242 4242 4242` approves; every other scenario has `4000 0000 0000 0NN?` (NN its place in SCENARIOS). */
export const TEST_CARDS: Record<Scenario, string> = Object.fromEntries(
  SCENARIOS.map((scenario, index) => [
    scenario,
    scenario === 'approved' ? '4242424242424242' : withCheckDigit(`400000000000${String(index).padStart(3, '0')}`),
  ]),
) as Record<Scenario, string>;

/**
 * Browser code shared by the card pages: `cardScenario(number)` → the scenario, `luhn(number)`, `brand(number)`.
 * Any other Luhn-valid number is approved, as a gateway's sandbox approves any well-formed card.
 */
export function cardScript(): string {
  const byNumber = Object.fromEntries(Object.entries(TEST_CARDS).map(([scenario, number]) => [number, scenario]));
  return `var CARDS = ${JSON.stringify(byNumber)};
function digits(v) { return String(v).replace(/[\\s-]/g, ''); }
function luhn(v) { var d = digits(v); if (!/^\\d{13,19}$/.test(d)) return false; var s = 0; for (var i = 0; i < d.length; i++) { var n = +d[d.length - 1 - i]; if (i % 2) { n *= 2; if (n > 9) n -= 9; } s += n; } return s % 10 === 0; }
function cardScenario(v) { return CARDS[digits(v)] || 'approved'; }
function brand(v) { var d = digits(v); return d[0] === '4' ? 'visa' : d[0] === '5' ? 'master' : d[0] === '3' ? 'amex' : 'debvisa'; }
function validExpiry(v) { var m = /^(\\d{2})\\s*\\/\\s*(\\d{2})$/.exec(v.trim()); if (!m || +m[1] < 1 || +m[1] > 12) return false; var end = new Date(2000 + +m[2], +m[1], 1); return end > new Date(); }
function randomSuffix() { var b = new Uint8Array(6); crypto.getRandomValues(b); return Array.prototype.map.call(b, function (x) { return x.toString(16).padStart(2, '0'); }).join(''); }`;
}
