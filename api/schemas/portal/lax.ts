import { z } from 'zod';

/**
 * Numbers and booleans as captive portals written for the previous service send them. Its validators took numbers as
 * numeric text (`"3"`, `"20.00"`) and booleans as text or 0/1 (`"true"`, `"1"`, `0`), and portals built their bodies
 * from form fields, so many send text. Each schema here takes those forms, documents them (the document lists both
 * the JSON type and the text pattern), and refuses anything else with the problem named in the previous service's
 * words: a wrong type is not a missing field.
 */

/** Why a value is refused: the validation `type` and message an old portal may show or parse. */
interface Refusal {
  refused: { type: string; msg: string };
}

const refuse = (type: string, msg: string): Refusal => ({ refused: { type, msg } });
const isRefusal = (value: unknown): value is Refusal => typeof value === 'object' && value !== null && 'refused' in value;

/** Integer text: digits with an optional sign, and a zero fraction (`"3.0"`) as the previous service allowed. */
const INTEGER_TEXT = /^\s*[+-]?\d{1,20}(?:\.0*)?\s*$/;
/** Decimal text, with an optional exponent; never `NaN` or `Infinity`, which no price can match. */
const NUMBER_TEXT = /^\s*[+-]?(?:\d{1,20}(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?\s*$/;
const TRUE_TEXT = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE_TEXT = new Set(['false', '0', 'no', 'off', 'f', 'n']);
const BOOLEAN_TEXT = '^\\s*(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[01]|[Yy][Ee][Ss]|[Nn][Oo]|[Oo][Nn]|[Oo][Ff][Ff]|[TtFfYyNn])\\s*$';

function toInteger(value: unknown): number | Refusal {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? value : refuse('int_from_float', 'Input should be a valid integer, got a number with a fractional part');
  }
  if (typeof value === 'string') {
    return INTEGER_TEXT.test(value) ? Math.trunc(Number(value)) : refuse('int_parsing', 'Input should be a valid integer, unable to parse string as an integer');
  }
  return refuse('int_type', 'Input should be a valid integer');
}

function toNumber(value: unknown): number | Refusal {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMBER_TEXT.test(value)) {
    const number = Number(value);
    if (Number.isFinite(number)) return number;
  }
  if (typeof value === 'string') return refuse('float_parsing', 'Input should be a valid number, unable to parse string as a number');
  return refuse('float_type', 'Input should be a valid number');
}

function toBoolean(value: unknown): boolean | Refusal {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (TRUE_TEXT.has(text)) return true;
    if (FALSE_TEXT.has(text)) return false;
  }
  if (typeof value === 'string' || typeof value === 'number') return refuse('bool_parsing', 'Input should be a valid boolean, unable to interpret input');
  return refuse('bool_type', 'Input should be a valid boolean');
}

/**
 * A value converted by `convert`, then checked by `target` (ranges, defaults stay there). A refusal is a custom issue
 * carrying its validation type, which api/plugins/errors.ts reports as is.
 */
function lax<In, Out>(convert: (value: unknown) => In | Refusal, target: z.ZodType<Out, Awaited<In>>, document: Record<string, unknown>) {
  return z
    .unknown()
    .transform((value, ctx) => {
      const converted = convert(value);
      if (!isRefusal(converted)) return converted;
      ctx.addIssue({ code: 'custom', message: converted.refused.msg, params: { type: converted.refused.type }, input: value });
      return z.NEVER;
    })
    .pipe(target)
    .meta(document);
}

/** What the document says of a number schema: its JSON form, with the bounds the target checks. */
function numberDocument(target: z.ZodNumber, integer: boolean): Record<string, unknown> {
  const json = z.toJSONSchema(target, { target: 'openapi-3.0' }) as Record<string, unknown>;
  const { $schema: _schema, ...bounds } = json;
  return { anyOf: [{ ...bounds, type: integer ? 'integer' : 'number' }, { type: 'string', pattern: (integer ? INTEGER_TEXT : NUMBER_TEXT).source }] };
}

/** An integer, also as text (`"3"`); `target` says its range. */
export const laxInteger = (target: z.ZodNumber) => lax(toInteger, target, numberDocument(target, true));

/** A number, also as text (`"20.00"`); `target` says its range. */
export const laxNumber = (target: z.ZodNumber) => lax(toNumber, target, numberDocument(target, false));

/** A boolean, also as text (`"true"`, `"1"`, `"no"`…) or 0/1; null or absent is `fallback`. */
export const laxBoolean = (fallback: boolean) =>
  z
    .preprocess((v) => (v === null ? undefined : v), lax(toBoolean, z.boolean(), {}).optional().default(fallback))
    .meta({ anyOf: [{ type: 'boolean' }, { type: 'integer', enum: [0, 1] }, { type: 'string', pattern: BOOLEAN_TEXT }], nullable: true, default: fallback });
