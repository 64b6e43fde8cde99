import { MENU, Trap, versionAtLeast, type Fields, type RouterState } from './state';

/**
 * A small RouterOS script interpreter: what `/import file.rsc` does with the statements it understands, run against
 * the simulator's state through the same command code as the API (so a script and the API can never disagree).
 *
 * Understood: menu commands in the space form (`/ip hotspot walled-garden add …`, and the slash form from v7) with
 * `add`, `set`, `remove`, `enable`, `disable`, `find [where a=b and c=d]` and `get`; `:global`, `:local`, `:set`,
 * `:if (…) do={…} else={…}`, `:foreach x in=… do={…}`, `:put`, `:error`, `:len`, `:typeof`; `$var` (also inside
 * double-quoted strings); comparisons and `&&`/`||`/`!`; `#` comment lines. Anything else is a syntax error, as a
 * router would refuse it: a lenient interpreter would hide script bugs.
 */

export class ScriptError extends Error {
  override readonly name = 'ScriptError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`${message} (line ${line})`);
  }
}

/** An item id such as `*1A` (RouterOS type `id`). */
class Id {
  constructor(readonly id: string) {}
  toString() {
    return this.id;
  }
}

type Value = string | number | boolean | Id | Value[] | undefined;

type TokenType = 'word' | 'string' | 'var' | 'op' | 'sep' | '[' | ']' | '{' | '}' | '(' | ')' | '=';
interface Token {
  type: TokenType;
  text: string;
  line: number;
}

const WORD = /[A-Za-z0-9_.,:/*@+-]/;
/** Marks an escaped `\$` inside a string until interpolation is done (a private-use character: never in a script). */
const DOLLAR = '\uE000';
const OPS = ['!=', '<=', '>=', '&&', '||', '<', '>', '!'];
const VERBS = new Set(['add', 'set', 'remove', 'enable', 'disable', 'find', 'get']);
const MENUS: readonly string[] = Object.values(MENU);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const atStatementStart = () => tokens.length === 0 || ['sep', '{'].includes(tokens[tokens.length - 1].type);
  while (i < source.length) {
    const c = source[i];
    if (c === '\n' || c === ';') {
      tokens.push({ type: 'sep', text: c, line });
      if (c === '\n') line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#' && atStatementStart()) {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '"') {
      let text = '';
      const start = line;
      i++;
      for (;;) {
        if (i >= source.length) throw new ScriptError('unterminated string', start);
        const d = source[i];
        if (d === '"') break;
        if (d === '\n') line++;
        if (d === '\\') {
          const next = source[i + 1];
          const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', $: `${DOLLAR}$` };
          if (!(next in escapes)) throw new ScriptError(`bad escape \\${next}`, line);
          text += escapes[next];
          i += 2;
          continue;
        }
        text += d;
        i++;
      }
      tokens.push({ type: 'string', text, line: start });
      i++;
    } else if (c === '$') {
      const match = /^\$([A-Za-z][A-Za-z0-9_-]*)/.exec(source.slice(i));
      if (!match) throw new ScriptError('syntax error after $', line);
      tokens.push({ type: 'var', text: match[1], line });
      i += match[0].length;
    } else if ('[]{}()'.includes(c)) {
      tokens.push({ type: c as TokenType, text: c, line });
      i++;
    } else if (c === '=') {
      tokens.push({ type: '=', text: c, line });
      i++;
    } else {
      const op = OPS.find((o) => source.startsWith(o, i));
      if (op) {
        tokens.push({ type: 'op', text: op, line });
        i += op.length;
        continue;
      }
      if (!WORD.test(c)) throw new ScriptError(`syntax error at "${c}"`, line);
      let text = '';
      while (i < source.length && WORD.test(source[i])) text += source[i++];
      tokens.push({ type: 'word', text, line });
    }
  }
  return tokens;
}

/** A variable scope: a block's locals, chained to the enclosing block's. */
class Scope {
  private readonly locals = new Map<string, Value>();
  /** Globals this block (or an enclosing one) declared with `:global`: only those are visible, as on RouterOS. */
  private readonly declared = new Set<string>();
  constructor(private readonly parent?: Scope) {}

  declareGlobal(name: string) {
    this.declared.add(name);
  }
  declareLocal(name: string, value: Value) {
    this.locals.set(name, value);
  }
  find(name: string): { kind: 'local'; scope: Scope } | { kind: 'global' } | undefined {
    if (this.locals.has(name)) return { kind: 'local', scope: this };
    if (this.declared.has(name)) return { kind: 'global' };
    return this.parent?.find(name);
  }
  getLocal(name: string): Value {
    return this.locals.get(name);
  }
  setLocal(name: string, value: Value) {
    this.locals.set(name, value);
  }
}

class Interpreter {
  private pos = 0;
  readonly output: string[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly state: RouterState,
  ) {}

  run(): void {
    this.block(undefined, undefined);
  }

  // ---- token helpers
  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  private line(): number {
    return (this.peek() ?? this.tokens[this.tokens.length - 1])?.line ?? 1;
  }
  private fail(message: string): never {
    throw new ScriptError(message, this.line());
  }
  private expect(type: TokenType, text?: string): Token {
    const token = this.peek();
    if (!token || token.type !== type || (text !== undefined && token.text !== text)) {
      this.fail(`syntax error: expected ${text ?? type}, found ${token ? `"${token.text}"` : 'end of script'}`);
    }
    this.pos++;
    return token;
  }
  private endOfStatement(): boolean {
    const token = this.peek();
    return !token || token.type === 'sep' || token.type === '}' || token.type === ']';
  }

  // ---- statements
  /** Statements until `}` (inside a block) or the end of the script. */
  private block(scope: Scope | undefined, closing: '}' | undefined): void {
    for (;;) {
      while (this.peek()?.type === 'sep') this.pos++;
      const token = this.peek();
      if (!token) {
        if (closing) this.fail('syntax error: missing }');
        return;
      }
      if (token.type === '}') {
        if (!closing) this.fail('syntax error: unexpected }');
        return;
      }
      // `/import` runs each top-level line on its own: its `:local`s and `:global` declarations do not carry over.
      this.statement(scope ?? new Scope());
      if (!this.endOfStatement()) this.fail(`syntax error at "${this.peek()!.text}"`);
    }
  }

  /** Skips a `{ … }` block without running it (the branch not taken). */
  private skipBlock(): void {
    this.expect('{');
    let depth = 1;
    while (depth > 0) {
      const token = this.peek();
      if (!token) this.fail('syntax error: missing }');
      if (token.type === '{') depth++;
      if (token.type === '}') depth--;
      this.pos++;
    }
  }

  private runBlock(scope: Scope): undefined {
    this.expect('{');
    this.block(new Scope(scope), '}');
    this.expect('}');
  }

  private statement(scope: Scope): Value {
    const token = this.peek()!;
    if (token.type === '{') return this.runBlock(scope);
    if (token.type === 'word' && token.text.startsWith(':')) return this.builtin(scope);
    if (token.type === 'word' && token.text.startsWith('/')) return this.command(scope, undefined);
    return this.fail(`bad command name ${token.text}`);
  }

  private builtin(scope: Scope): Value {
    const name = this.expect('word').text;
    switch (name) {
      case ':global': {
        const variable = this.expect('word').text;
        scope.declareGlobal(variable);
        if (!this.endOfStatement()) this.state.globals.set(variable, this.value(scope));
        return undefined;
      }
      case ':local': {
        const variable = this.expect('word').text;
        scope.declareLocal(variable, this.endOfStatement() ? undefined : this.value(scope));
        return undefined;
      }
      case ':set': {
        const variable = this.expect('word').text;
        const value = this.endOfStatement() ? undefined : this.value(scope);
        const found = scope.find(variable);
        if (!found) this.fail(`syntax error: undeclared variable ${variable}`);
        if (found.kind === 'local') found.scope.setLocal(variable, value);
        else this.state.globals.set(variable, value);
        return undefined;
      }
      case ':put':
        this.output.push(print(this.value(scope)));
        return undefined;
      case ':error':
        throw new ScriptError(print(this.value(scope)), this.line());
      case ':len': {
        const value = this.value(scope);
        return Array.isArray(value) ? value.length : value === undefined ? 0 : print(value).length;
      }
      case ':typeof':
        return typeOf(this.value(scope));
      case ':if': {
        this.expect('(');
        const condition = this.expression(scope);
        this.expect(')');
        if (typeof condition !== 'boolean') this.fail('syntax error: the condition of :if is not a bool');
        this.namedWord('do');
        if (condition) this.runBlock(scope);
        else this.skipBlock();
        if (this.peek()?.type === 'word' && this.peek()!.text === 'else') {
          this.namedWord('else');
          if (condition) this.skipBlock();
          else this.runBlock(scope);
        }
        return undefined;
      }
      case ':foreach': {
        const variable = this.expect('word').text;
        this.namedWord('in');
        const items = this.value(scope);
        this.namedWord('do');
        const start = this.pos;
        const list = Array.isArray(items) ? items : items === undefined ? [] : [items];
        if (list.length === 0) this.skipBlock();
        for (const item of list) {
          this.pos = start;
          const inner = new Scope(scope);
          inner.declareLocal(variable, item);
          this.runBlock(inner);
        }
        return undefined;
      }
      default:
        return this.fail(`bad command name ${name}`);
    }
  }

  /** `word=` of a builtin (`do=`, `else=`, `in=`). */
  private namedWord(word: string): void {
    this.expect('word', word);
    this.expect('=');
  }

  // ---- menu commands
  /** A command; `menu` is the enclosing command's menu for a relative `[find …]`. */
  private command(scope: Scope, menu: string | undefined): Value {
    let path = '';
    const first = this.peek()!;
    if (first.type === 'word' && first.text.startsWith('/')) {
      this.pos++;
      const parts = first.text.split('/').filter(Boolean);
      if (parts.length > 1 && !versionAtLeast(this.state.version, '7')) this.fail(`bad command name ${first.text}`);
      path = '';
      let verb: string | undefined;
      for (const part of parts) {
        if (verb !== undefined) this.fail(`bad command name ${first.text}`);
        if (isMenuPrefix(`${path}/${part}`)) path += `/${part}`;
        else verb = part;
      }
      while (verb === undefined && this.peek()?.type === 'word' && isMenuPrefix(`${path}/${this.peek()!.text}`)) {
        path += `/${this.expect('word').text}`;
      }
      if (verb === undefined) verb = this.expect('word').text;
      return this.menuCommand(scope, path, verb);
    }
    if (menu === undefined) this.fail(`bad command name ${first.text}`);
    return this.menuCommand(scope, menu, this.expect('word').text);
  }

  private menuCommand(scope: Scope, menu: string, verb: string): Value {
    if (!MENUS.includes(menu) || !VERBS.has(verb)) this.fail(`bad command name ${verb}`);
    if (verb === 'find') return this.find(scope, menu);
    const positional: Value[] = [];
    const attrs: Fields = {};
    while (!this.endOfStatement()) {
      if (this.peek()!.type === 'word' && this.peek(1)?.type === '=') {
        const key = this.expect('word').text;
        this.expect('=');
        attrs[key] = print(this.value(scope, menu));
      } else {
        positional.push(this.value(scope, menu));
      }
    }
    if (verb === 'get') {
      const [target, field] = positional;
      if (positional.length !== 2 || typeof field !== 'string') this.fail('syntax error: get takes an item and a property');
      const row = this.rows(menu, [`.id=${idsOf(target)[0] ?? ''}`])[0];
      if (!row) this.fail('no such item');
      return row[field];
    }
    if (verb === 'add') {
      if (positional.length > 0) this.fail('syntax error: add takes only name=value arguments');
      return new Id(this.exec(`${menu}/add`, attrs).ret ?? '');
    }
    if (positional.length !== 1) this.fail(`syntax error: ${verb} takes one item (or a list from find)`);
    const ids = idsOf(positional[0]);
    if (ids.length === 0) {
      // `set [find …]` with no match does nothing on RouterOS; naming nothing at all is an error.
      if (Array.isArray(positional[0])) return undefined;
      this.fail('no such item');
    }
    this.exec(`${menu}/${verb}`, { ...attrs, numbers: ids.join(',') });
    return undefined;
  }

  /** `find [where] a=b [and c=d …]`: ids of the matching items. */
  private find(scope: Scope, menu: string): Value {
    if (this.peek()?.type === 'word' && this.peek()!.text === 'where') this.pos++;
    const queries: string[] = [];
    while (!this.endOfStatement()) {
      if (queries.length > 0) this.expect('word', 'and');
      const field = this.expect('word').text;
      this.expect('=');
      queries.push(`${field}=${print(this.value(scope, menu))}`);
    }
    return this.rows(menu, queries).map((row) => new Id(row['.id']));
  }

  private rows(menu: string, queries: string[]): Fields[] {
    try {
      return this.state.execute({ command: `${menu}/print`, attrs: {}, queries }).rows;
    } catch (error) {
      if (error instanceof Trap) this.fail(error.message);
      throw error;
    }
  }

  private exec(command: string, attrs: Fields): Fields {
    try {
      return this.state.execute({ command, attrs, queries: [] }).done;
    } catch (error) {
      if (error instanceof Trap) this.fail(error.message);
      throw error;
    }
  }

  // ---- values and expressions
  /** One value: a string, a variable, `[command]`, `(expression)` or a bare word. */
  private value(scope: Scope, menu?: string): Value {
    const token = this.peek();
    if (!token) return this.fail('syntax error: missing value');
    switch (token.type) {
      case 'string':
        this.pos++;
        return this.interpolate(scope, token.text);
      case 'var':
        this.pos++;
        return this.variable(scope, token.text);
      case '[': {
        this.pos++;
        const result = this.peek()?.type === 'word' && this.peek()!.text.startsWith(':') ? this.builtin(scope) : this.command(scope, menu);
        this.expect(']');
        return result;
      }
      case '(': {
        this.pos++;
        const result = this.expression(scope);
        this.expect(')');
        return result;
      }
      case 'word':
        this.pos++;
        return token.text;
      default:
        return this.fail(`syntax error at "${token.text}"`);
    }
  }

  private variable(scope: Scope, name: string): Value {
    const found = scope.find(name);
    if (!found) this.fail(`syntax error: undeclared variable ${name}`);
    return found.kind === 'local' ? found.scope.getLocal(name) : this.state.globals.get(name) as Value;
  }

  /** `$name` inside a double-quoted string is the variable's value; `\$` (kept as DOLLAR + `$`) is a dollar sign. */
  private interpolate(scope: Scope, text: string): string {
    return text
      .replace(/(?<!\uE000)\$([A-Za-z][A-Za-z0-9_-]*)/g, (_, name: string) => print(this.variable(scope, name)))
      .replace(/\uE000\$/g, '$');
  }

  /** `||` < `&&` < comparisons < unary `!`; operands are values. */
  private expression(scope: Scope): Value {
    let left = this.conjunction(scope);
    while (this.peek()?.type === 'op' && this.peek()!.text === '||') {
      this.pos++;
      const right = this.conjunction(scope);
      left = this.bool(left) || this.bool(right);
    }
    return left;
  }

  private conjunction(scope: Scope): Value {
    let left = this.comparison(scope);
    while (this.peek()?.type === 'op' && this.peek()!.text === '&&') {
      this.pos++;
      const right = this.comparison(scope);
      left = this.bool(left) && this.bool(right);
    }
    return left;
  }

  private comparison(scope: Scope): Value {
    const left = this.unary(scope);
    const token = this.peek();
    const op = token?.type === '=' ? '=' : token?.type === 'op' && ['!=', '<', '>', '<=', '>='].includes(token.text) ? token.text : undefined;
    if (!op) return left;
    this.pos++;
    const right = this.unary(scope);
    if (op === '=') return same(left, right);
    if (op === '!=') return !same(left, right);
    const [a, b] = [numberOf(left), numberOf(right)];
    if (a === undefined || b === undefined) this.fail(`syntax error: ${op} compares numbers`);
    return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
  }

  private unary(scope: Scope): Value {
    if (this.peek()?.type === 'op' && this.peek()!.text === '!') {
      this.pos++;
      return !this.bool(this.unary(scope));
    }
    const value = this.value(scope);
    return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  }

  private bool(value: Value): boolean {
    if (typeof value !== 'boolean') this.fail('syntax error: && and || need bool values');
    return value;
  }
}

function isMenuPrefix(path: string): boolean {
  return MENUS.some((menu) => menu === path || menu.startsWith(`${path}/`));
}

function idsOf(value: Value): string[] {
  if (Array.isArray(value)) return value.flatMap(idsOf);
  if (value === undefined) return [];
  return [print(value)];
}

function numberOf(value: Value): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
}

function same(a: Value, b: Value): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return print(a) === print(b);
}

function typeOf(value: Value): string {
  if (value === undefined) return 'nil';
  if (value instanceof Id) return 'id';
  if (Array.isArray(value)) return 'array';
  return { string: 'str', number: 'num', boolean: 'bool' }[typeof value as 'string' | 'number' | 'boolean'];
}

/** How RouterOS prints a value: arrays joined with `;`, booleans as true/false, nothing as the empty string. */
function print(value: Value): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map(print).join(';');
  return String(value);
}

/**
 * Runs a script as `/import` would, as a `full` user: statement by statement, stopping at the first error (what ran
 * before it stays done, as on a router). Returns what `:put` printed; throws ScriptError.
 */
export function runScript(state: RouterState, source: string): string[] {
  const interpreter = new Interpreter(tokenize(source), state);
  interpreter.run();
  return interpreter.output;
}
