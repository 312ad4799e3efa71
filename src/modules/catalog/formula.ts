/**
 * Fee formulas: a small, safe arithmetic language evaluated by walking a parsed tree, never by
 * eval or new Function. A formula can only read the numbers it is given and call six pure
 * functions, so a definition from another organization cannot run code on our servers.
 *
 *   expr    := or ( '?' expr ':' expr )?
 *   or      := and ( '||' and )*          and := equal ( '&&' equal )*
 *   equal   := compare ( ('==' | '!=') compare )*
 *   compare := sum ( ('<' | '<=' | '>' | '>=') sum )*
 *   sum     := product ( ('+' | '-') product )*
 *   product := unary ( ('*' | '/' | '%') unary )*
 *   unary   := ('-' | '+' | '!') unary | primary
 *   primary := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'
 *
 * Comparisons and logic give 1 or 0; any non-zero number is true. Numbers are ASCII or Persian
 * digits with an optional decimal point ('.' or '٫') and '_' or '٬' between digit groups
 * (350_000, ۳۵۰٬۰۰۰). Functions: min, max (1+ arguments), abs, and round, floor, ceil with an
 * optional number of decimals that may be negative (round(x, -3) rounds to thousands).
 */

/** A formula that does not parse or cannot be evaluated; `position` is the 0-based offset in the source, when known. */
export class FormulaError extends Error {
  readonly position: number | undefined;
  constructor(message: string, position?: number) {
    super(position === undefined ? message : `${message} (at position ${position + 1})`);
    this.name = 'FormulaError';
    this.position = position;
  }
}

/** Longest accepted formula source, in characters. */
export const MAX_FORMULA_LENGTH = 500;
/** Deepest nesting of parentheses, calls and operators. */
export const MAX_FORMULA_DEPTH = 32;

export const FORMULA_FUNCTIONS = ['min', 'max', 'round', 'floor', 'ceil', 'abs'] as const;
type FunctionName = (typeof FORMULA_FUNCTIONS)[number];
const ARITY: Record<FunctionName, [number, number]> = {
  min: [1, 32], max: [1, 32], round: [1, 2], floor: [1, 2], ceil: [1, 2], abs: [1, 1],
};

/** A parsed formula: the names it reads and a way to evaluate it. */
export interface CompiledFormula {
  readonly source: string;
  /** The variable names the formula reads, in order of first appearance (function names excluded). */
  readonly identifiers: string[];
  /** The value for these variables; throws FormulaError on a missing variable, a division by zero or a non-finite result. */
  evaluate(vars: Readonly<Record<string, number>>): number;
}

type Token =
  | { kind: 'num'; value: number; pos: number }
  | { kind: 'id'; name: string; pos: number }
  | { kind: 'op'; op: string; pos: number }
  | { kind: 'end'; pos: number };

type Node =
  | { t: 'num'; value: number }
  | { t: 'var'; name: string; pos: number }
  | { t: 'unary'; op: string; arg: Node }
  | { t: 'binary'; op: string; left: Node; right: Node; pos: number }
  | { t: 'cond'; test: Node; then: Node; else: Node }
  | { t: 'call'; fn: FunctionName; args: Node[] };

const OPERATORS = ['<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '(', ')', ',', '?', ':'];
const DIGIT = /[0-9\u06F0-\u06F9\u0660-\u0669]/;
const ID_START = /[A-Za-z_]/;
const ID_PART = /[A-Za-z0-9_]/;

function digitValue(c: string): string {
  const code = c.charCodeAt(0);
  if (code >= 0x06f0 && code <= 0x06f9) return String(code - 0x06f0);
  if (code >= 0x0660 && code <= 0x0669) return String(code - 0x0660);
  return c;
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src.charAt(i);
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (DIGIT.test(c) || ((c === '.' || c === '\u066B') && DIGIT.test(src.charAt(i + 1)))) {
      let text = '';
      let seenPoint = false;
      while (i < src.length) {
        const d = src.charAt(i);
        if (DIGIT.test(d)) { text += digitValue(d); i++; continue; }
        if ((d === '.' || d === '\u066B') && !seenPoint && DIGIT.test(src.charAt(i + 1))) { seenPoint = true; text += '.'; i++; continue; }
        if ((d === '_' || d === '\u066C') && text !== '' && !seenPoint && DIGIT.test(src.charAt(i + 1))) { i++; continue; }
        break;
      }
      if (ID_PART.test(src.charAt(i)) || DIGIT.test(src.charAt(i))) throw new FormulaError(`malformed number '${src.slice(start, i + 1)}'`, start);
      tokens.push({ kind: 'num', value: Number(text), pos: start });
      continue;
    }
    if (ID_START.test(c)) {
      while (i < src.length && ID_PART.test(src.charAt(i))) i++;
      tokens.push({ kind: 'id', name: src.slice(start, i), pos: start });
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new FormulaError(`unexpected character '${c}'`, i);
    tokens.push({ kind: 'op', op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: 'end', pos: src.length });
  return tokens;
}

class Parser {
  private i = 0;
  private depth = 0;
  readonly names: string[] = [];

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i] ?? { kind: 'end', pos: 0 };
  }

  private isOp(...ops: string[]): string | null {
    const t = this.peek();
    return t.kind === 'op' && ops.includes(t.op) ? t.op : null;
  }

  private expect(op: string): void {
    const t = this.peek();
    if (t.kind !== 'op' || t.op !== op) throw new FormulaError(`expected '${op}' but found ${describe(t)}`, t.pos);
    this.i++;
  }

  private enter(): void {
    if (++this.depth > MAX_FORMULA_DEPTH) throw new FormulaError(`formula nests deeper than ${MAX_FORMULA_DEPTH} levels`, this.peek().pos);
  }

  parseAll(): Node {
    const node = this.expr();
    const t = this.peek();
    if (t.kind !== 'end') throw new FormulaError(`unexpected ${describe(t)}`, t.pos);
    return node;
  }

  private expr(): Node {
    this.enter();
    const test = this.binary(0);
    let node = test;
    if (this.isOp('?')) {
      this.i++;
      const then = this.expr();
      this.expect(':');
      node = { t: 'cond', test, then, else: this.expr() };
    }
    this.depth--;
    return node;
  }

  private static readonly LEVELS: string[][] = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];

  private binary(level: number): Node {
    const ops = Parser.LEVELS[level];
    if (!ops) return this.unary();
    let left = this.binary(level + 1);
    for (let op = this.isOp(...ops); op; op = this.isOp(...ops)) {
      const pos = this.peek().pos;
      this.i++;
      left = { t: 'binary', op, left, right: this.binary(level + 1), pos };
    }
    return left;
  }

  private unary(): Node {
    const op = this.isOp('-', '+', '!');
    if (!op) return this.primary();
    this.i++;
    this.enter();
    const arg = this.unary();
    this.depth--;
    return op === '+' ? arg : { t: 'unary', op, arg };
  }

  private primary(): Node {
    const t = this.peek();
    if (t.kind === 'num') { this.i++; return { t: 'num', value: t.value }; }
    if (t.kind === 'id') {
      this.i++;
      const isCall = this.isOp('(') !== null;
      const fn = (FORMULA_FUNCTIONS as readonly string[]).includes(t.name) ? (t.name as FunctionName) : null;
      if (isCall) {
        if (!fn) throw new FormulaError(`unknown function '${t.name}' (known: ${FORMULA_FUNCTIONS.join(', ')})`, t.pos);
        return this.call(fn, t.pos);
      }
      if (fn) throw new FormulaError(`'${t.name}' is a function: write ${t.name}(...)`, t.pos);
      if (!this.names.includes(t.name)) this.names.push(t.name);
      return { t: 'var', name: t.name, pos: t.pos };
    }
    if (this.isOp('(')) {
      this.i++;
      const inner = this.expr();
      this.expect(')');
      return inner;
    }
    throw new FormulaError(t.kind === 'end' ? 'formula ends too early' : `unexpected ${describe(t)}`, t.pos);
  }

  private call(fn: FunctionName, pos: number): Node {
    this.expect('(');
    const args: Node[] = [];
    if (!this.isOp(')')) {
      args.push(this.expr());
      while (this.isOp(',')) { this.i++; args.push(this.expr()); }
    }
    this.expect(')');
    const [least, most] = ARITY[fn];
    if (args.length < least || args.length > most) {
      const wanted = least === most ? `${least}` : most > 2 ? `at least ${least}` : `${least} or ${most}`;
      throw new FormulaError(`${fn}() takes ${wanted} argument${most === 1 ? '' : 's'}, got ${args.length}`, pos);
    }
    return { t: 'call', fn, args };
  }
}

function describe(t: Token): string {
  if (t.kind === 'end') return 'end of formula';
  if (t.kind === 'num') return `number ${t.value}`;
  if (t.kind === 'id') return `'${t.name}'`;
  return `'${t.op}'`;
}

function scaled(fn: (x: number) => number, x: number, digits: number | undefined): number {
  if (digits === undefined || digits === 0) return fn(x);
  if (!Number.isInteger(digits) || Math.abs(digits) > 15) throw new FormulaError(`the number of decimals must be a whole number between -15 and 15, got ${digits}`);
  const f = 10 ** Math.abs(digits);
  return digits > 0 ? fn(x * f) / f : fn(x / f) * f;
}

// Round half away from zero, as people and accountants do (Math.round rounds -2.5 to -2).
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

function evaluateNode(node: Node, vars: Readonly<Record<string, number>>): number {
  switch (node.t) {
    case 'num': return node.value;
    case 'var': {
      const v = Object.prototype.hasOwnProperty.call(vars, node.name) ? vars[node.name] : undefined;
      if (v === undefined) throw new FormulaError(`unknown name '${node.name}'`, node.pos);
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new FormulaError(`'${node.name}' is not a finite number`, node.pos);
      return v;
    }
    case 'unary': {
      const x = evaluateNode(node.arg, vars);
      return node.op === '-' ? -x : x === 0 ? 1 : 0;
    }
    case 'cond': return evaluateNode(node.test, vars) !== 0 ? evaluateNode(node.then, vars) : evaluateNode(node.else, vars);
    case 'call': {
      const args = node.args.map((a) => evaluateNode(a, vars));
      const [x = 0, digits] = args;
      switch (node.fn) {
        case 'min': return Math.min(...args);
        case 'max': return Math.max(...args);
        case 'abs': return Math.abs(x);
        case 'round': return scaled(roundHalfAway, x, digits);
        case 'floor': return scaled(Math.floor, x, digits);
        case 'ceil': return scaled(Math.ceil, x, digits);
      }
      throw new FormulaError('unknown function');
    }
    case 'binary': {
      if (node.op === '&&') return evaluateNode(node.left, vars) !== 0 && evaluateNode(node.right, vars) !== 0 ? 1 : 0;
      if (node.op === '||') return evaluateNode(node.left, vars) !== 0 || evaluateNode(node.right, vars) !== 0 ? 1 : 0;
      const a = evaluateNode(node.left, vars);
      const b = evaluateNode(node.right, vars);
      switch (node.op) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/':
          if (b === 0) throw new FormulaError('division by zero', node.pos);
          return a / b;
        case '%':
          if (b === 0) throw new FormulaError('remainder of a division by zero', node.pos);
          return a % b;
        case '<': return a < b ? 1 : 0;
        case '<=': return a <= b ? 1 : 0;
        case '>': return a > b ? 1 : 0;
        case '>=': return a >= b ? 1 : 0;
        case '==': return a === b ? 1 : 0;
        case '!=': return a !== b ? 1 : 0;
      }
      throw new FormulaError(`unknown operator '${node.op}'`, node.pos);
    }
  }
}

/** Parses a formula; throws FormulaError with the position of the first syntax error. */
export function compileFormula(source: string): CompiledFormula {
  if (typeof source !== 'string') throw new FormulaError('a formula must be text');
  if (source.length > MAX_FORMULA_LENGTH) throw new FormulaError(`formula is longer than ${MAX_FORMULA_LENGTH} characters`);
  if (source.trim() === '') throw new FormulaError('formula is empty', 0);
  const parser = new Parser(tokenize(source));
  const tree = parser.parseAll();
  const identifiers = [...parser.names];
  return {
    source,
    identifiers,
    evaluate(vars) {
      const result = evaluateNode(tree, vars);
      if (!Number.isFinite(result)) throw new FormulaError('the result is not a finite number');
      return result === 0 ? 0 : result; // no -0
    },
  };
}

const cache = new Map<string, CompiledFormula>();
const CACHE_LIMIT = 2000;

/** {@link compileFormula} with a cache: formulas of published definitions are compiled once. */
export function compiledFormula(source: string): CompiledFormula {
  let compiled = cache.get(source);
  if (!compiled) {
    compiled = compileFormula(source);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, compiled);
  }
  return compiled;
}
