import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormulaError, MAX_FORMULA_DEPTH, MAX_FORMULA_LENGTH, compileFormula, compiledFormula } from './formula.js';

const ev = (src: string, vars: Record<string, number> = {}) => compileFormula(src).evaluate(vars);

test('arithmetic follows the usual precedence and associativity', () => {
  assert.equal(ev('1 + 2 * 3'), 7);
  assert.equal(ev('(1 + 2) * 3'), 9);
  assert.equal(ev('10 - 4 - 3'), 3);
  assert.equal(ev('100 / 10 / 5'), 2);
  assert.equal(ev('17 % 5'), 2);
  assert.equal(ev('2 * -3'), -6);
  assert.equal(ev('-(2 + 3)'), -5);
  assert.equal(ev('--4'), 4);
  assert.equal(ev('+4'), 4);
  assert.equal(ev('0.5 * 3'), 1.5);
  assert.equal(ev('.25 * 4'), 1);
});

test('numbers may be written with Persian digits, a Persian decimal point and group separators', () => {
  assert.equal(ev('۳۵۰۰۰۰ * ۲'), 700_000);
  assert.equal(ev('۱٫۵ * 2'), 3);
  assert.equal(ev('350_000 + ۱٬۰۰۰'), 351_000);
  assert.equal(ev('٣ + 1'), 4); // Arabic-Indic digit
});

test('identifiers are read from the variables and listed once, in order, without function names', () => {
  const f = compileFormula('area_m2 * rate + max(area_m2, floors) - round(rate)');
  assert.deepEqual(f.identifiers, ['area_m2', 'rate', 'floors']);
  assert.equal(f.evaluate({ area_m2: 100, rate: 2, floors: 3 }), 298);
});

test('comparisons and logic give 1 or 0; any non-zero number is true', () => {
  assert.equal(ev('3 > 2'), 1);
  assert.equal(ev('3 < 2'), 0);
  assert.equal(ev('2 <= 2'), 1);
  assert.equal(ev('2 >= 3'), 0);
  assert.equal(ev('2 == 2'), 1);
  assert.equal(ev('2 != 2'), 0);
  assert.equal(ev('5 && 2'), 1);
  assert.equal(ev('0 || 0'), 0);
  assert.equal(ev('!0'), 1);
  assert.equal(ev('!7'), 0);
  assert.equal(ev('1 + 2 > 2 && 4 > 3'), 1);
  assert.equal(ev('x > 4 || y', { x: 1, y: 0 }), 0);
});

test('logic and the conditional evaluate lazily, so a guarded division is safe', () => {
  assert.equal(ev('x != 0 && 10 / x > 1', { x: 0 }), 0);
  assert.equal(ev('x == 0 || 10 / x', { x: 0 }), 1);
  assert.equal(ev('x > 0 ? 10 / x : 0', { x: 0 }), 0);
  assert.equal(ev('x > 0 ? 10 / x : 0', { x: 4 }), 2.5);
});

test('the conditional is right-associative and binds loosest', () => {
  assert.equal(ev('x > 10 ? 3 : x > 5 ? 2 : 1', { x: 7 }), 2);
  assert.equal(ev('x > 10 ? 3 : x > 5 ? 2 : 1', { x: 1 }), 1);
  assert.equal(ev('1 ? 2 : 3 + 10'), 2);
});

test('functions: min, max, abs, round/floor/ceil with optional decimals', () => {
  assert.equal(ev('min(4, 2, 8)'), 2);
  assert.equal(ev('max(4)'), 4);
  assert.equal(ev('abs(-3.5)'), 3.5);
  assert.equal(ev('round(2.5)'), 3);
  assert.equal(ev('round(-2.5)'), -3);
  assert.equal(ev('round(1234567, -3)'), 1_235_000);
  assert.equal(ev('round(1.2345, 2)'), 1.23);
  assert.equal(ev('floor(1999, -3)'), 1000);
  assert.equal(ev('ceil(1001, -3)'), 2000);
  assert.equal(ev('floor(-1.5)'), -2);
  assert.equal(ev('ceil(1.2)'), 2);
});

test('syntax errors throw FormulaError with the position of the problem', () => {
  const cases: [string, number, RegExp][] = [
    ['1 +', 3, /ends too early/],
    ['1 + * 2', 4, /unexpected '\*'/],
    ['(1 + 2', 6, /expected '\)'/],
    ['1 + 2)', 5, /unexpected '\)'/],
    ['area # 2', 5, /unexpected character '#'/],
    ['foo(1)', 0, /unknown function 'foo'/],
    ['min + 1', 0, /'min' is a function/],
    ['abs(1, 2)', 0, /abs\(\) takes 1 argument/],
    ['round()', 0, /round\(\) takes 1 or 2 arguments/],
    ['1 ? 2', 5, /expected ':'/],
    ['12abc', 0, /malformed number/],
    ['2 3', 2, /unexpected number 3/],
    ['a = 1', 2, /unexpected character '='/],
  ];
  for (const [src, position, message] of cases) {
    assert.throws(() => compileFormula(src), (e: unknown) => {
      assert.ok(e instanceof FormulaError, src);
      assert.equal(e.position, position, src);
      assert.match(e.message, message, src);
      assert.match(e.message, new RegExp(`position ${position + 1}\\)`), src);
      return true;
    });
  }
});

test('nothing but arithmetic: no property access, strings, calls of arbitrary code or assignment', () => {
  for (const src of ['constructor.constructor("return 1")()', 'x.y', '"a"', 'process', 'eval(1)', 'x[0]', 'x = 1', '`1`']) {
    let threw = false;
    try {
      compileFormula(src).evaluate({});
    } catch (e) {
      threw = e instanceof FormulaError;
    }
    assert.ok(threw, src);
  }
  // Names of Object.prototype members are not variables.
  assert.throws(() => ev('toString + 1'), /unknown name 'toString'/);
  assert.throws(() => ev('__proto__'), /unknown name '__proto__'/);
});

test('unknown and non-finite variables throw at evaluation, naming the variable', () => {
  const f = compileFormula('area * rate');
  assert.throws(() => f.evaluate({ area: 1 }), (e: unknown) => e instanceof FormulaError && /unknown name 'rate'/.test(e.message) && e.position === 7);
  assert.throws(() => f.evaluate({ area: 1, rate: Number.NaN }), /'rate' is not a finite number/);
  assert.throws(() => f.evaluate({ area: 1, rate: Infinity }), /not a finite number/);
});

test('division or remainder by zero throws; results must be finite', () => {
  assert.throws(() => ev('1 / x', { x: 0 }), /division by zero/);
  assert.throws(() => ev('1 % 0'), /division by zero/);
  assert.throws(() => ev('x * x', { x: 1e200 }), /not a finite number/);
  assert.equal(Object.is(ev('-0'), 0), true);
});

test('length and nesting are limited', () => {
  assert.throws(() => compileFormula('1+'.repeat(300) + '1'), (e: unknown) => e instanceof FormulaError && /longer than/.test(e.message));
  assert.equal(MAX_FORMULA_LENGTH, 500);
  const deep = `${'('.repeat(MAX_FORMULA_DEPTH + 1)}1${')'.repeat(MAX_FORMULA_DEPTH + 1)}`;
  assert.throws(() => compileFormula(deep), /nests deeper/);
  const ok = `${'('.repeat(MAX_FORMULA_DEPTH - 2)}1${')'.repeat(MAX_FORMULA_DEPTH - 2)}`;
  assert.equal(ev(ok), 1);
  assert.throws(() => compileFormula('-'.repeat(100) + '1'), /nests deeper/);
  assert.throws(() => compileFormula(''), /empty/);
  assert.throws(() => compileFormula('   '), /empty/);
  // A long flat chain is fine.
  assert.equal(ev(Array.from({ length: 200 }, () => '1').join('+')), 200);
});

test('compiledFormula caches by source', () => {
  assert.equal(compiledFormula('a + 1'), compiledFormula('a + 1'));
  assert.equal(compiledFormula('a + 1').evaluate({ a: 1 }), 2);
});

test('a realistic building-permit levy', () => {
  const f = compileFormula('(floors - base_floors) / floors * building_area_m2 * rate_per_m2 * usage');
  assert.equal(f.evaluate({ floors: 5, base_floors: 3, building_area_m2: 500, rate_per_m2: 4_500_000, usage: 1 }), 900_000_000);
});
