import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { overridesSchema } from './definition.js';
import { checkDefinition, checkOverrides, formatPath, parseDefinition, serializeDefinition, type DefinitionError } from './validate.js';

/** A small, valid definition as an author would write it; tests change one thing at a time. */
function sample(): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    code: 'sample-permit',
    title: { fa: 'مجوز نمونه', en: 'Sample permit' },
    category: 'urban-development',
    maturity: 3,
    fields: [
      { key: 'area_m2', type: 'number', label: { fa: 'مساحت' }, required: true, min: 1, max: 1000 },
      { key: 'floors', type: 'integer', label: { fa: 'طبقات' }, min: 1, max: 30 },
      { key: 'owner_name', type: 'text', label: { fa: 'نام مالک' } },
      { key: 'usage', type: 'select', label: { fa: 'کاربری' }, options: [{ value: 'residential', label: { fa: 'مسکونی' }, factor: 1 }, { value: 'commercial', label: { fa: 'تجاری' }, factor: 3 }] },
      { key: 'zone', type: 'select', label: { fa: 'منطقه' }, options: [{ value: 'north', label: { fa: 'شمال' } }] },
      { key: 'urgent', type: 'checkbox', label: { fa: 'فوری' } },
    ],
    documents: [{ key: 'deed', title: { fa: 'سند' }, required: true }],
    fees: [{ key: 'levy', title: { fa: 'عوارض' }, formula: 'area_m2 * rate * usage', when: 'area_m2 > 0', params: { rate: 1000 } }],
    workflow: {
      start: 'submitted',
      states: {
        submitted: { sla: '2d', roles: ['clerk'] },
        correction: { sla: '10d', waits_for: 'citizen' },
        payment: { waits_for: 'citizen' },
        granted: { final: true, outcome: 'granted' },
        refused: { final: true, outcome: 'refused' },
      },
      actions: [
        { from: 'submitted', name: 'accept', to: 'payment', roles: ['clerk'] },
        { from: 'submitted', name: 'return', to: 'correction', roles: ['clerk'], requires: 'comment', to_citizen: true },
        { from: 'submitted', name: 'reject', to: 'refused', roles: ['clerk'], requires: ['comment'] },
        { from: 'correction', name: 'resubmit', to: 'submitted', by: 'citizen' },
        { from: 'payment', name: 'paid', to: 'granted', by: 'payment' },
        { from: 'payment', name: 'confirm_payment', to: 'granted', roles: ['clerk'] },
      ],
    },
    baseline: { office_visits: 3, days: 10 },
    result: { granted: { fa: 'مجوز {tracking_code} برای {area_m2} متر مربع در {org} به تاریخ {date} صادر شد.' } },
  };
}

function errorsOf(def: unknown): DefinitionError[] {
  const r = checkDefinition(def);
  return r.ok ? [] : r.errors;
}

/** Asserts that exactly the problem at `path` is reported, with a message matching `message`. */
function expectError(def: unknown, path: string, message: RegExp): void {
  const errors = errorsOf(def);
  const hit = errors.find((e) => e.path === path && message.test(e.message));
  assert.ok(hit, `expected an error at ${path} matching ${message}, got ${JSON.stringify(errors)}`);
}

test('the sample definition is valid, with defaults filled in and a single requirement made a list', () => {
  const r = checkDefinition(sample());
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  assert.equal(r.definition.audience, 'G2C');
  assert.deepEqual(r.definition.workflow.actions[1]?.requires, ['comment']);
  assert.equal(r.definition.workflow.actions[0]?.by, 'staff');
  assert.deepEqual(r.definition.documents[0]?.accept, ['pdf', 'jpg', 'png']);
});

test('formatPath writes indexes in brackets and names with dots', () => {
  assert.equal(formatPath(['workflow', 'actions', 3, 'to']), 'workflow.actions[3].to');
  assert.equal(formatPath(['fields', 0]), 'fields[0]');
  assert.equal(formatPath([]), '');
});

test('YAML and JSON parse; the format is guessed from the first character', () => {
  const json = JSON.stringify(sample());
  assert.ok(parseDefinition(json).ok);
  assert.ok(parseDefinition(json, 'json').ok);
  assert.ok(parseDefinition(json, 'yaml').ok); // JSON is YAML
  const checked = checkDefinition(sample());
  assert.ok(checked.ok);
  assert.ok(parseDefinition(serializeDefinition(checked.definition, 'yaml')).ok);
});

test('unreadable text is reported at the root path', () => {
  const bad = parseDefinition('{ "code": ', 'json');
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.errors[0]?.message ?? '' : '', /not valid JSON/);
  const yaml = parseDefinition('code: [unclosed\n');
  assert.ok(!yaml.ok && yaml.errors[0]?.path === '' && /not valid YAML/.test(yaml.errors[0].message));
});

test('YAML: duplicate keys, custom tags and alias bombs are refused; only plain data is built', () => {
  const dup = parseDefinition('code: a-b\ncode: c-d\n');
  assert.ok(!dup.ok && /not valid YAML/.test(dup.errors[0]?.message ?? ''));
  const tagged = parseDefinition('code: !!js/function "function () { return 1 }"\n');
  assert.ok(!tagged.ok && /not valid YAML/.test(tagged.errors[0]?.message ?? ''), JSON.stringify(tagged));
  const custom = parseDefinition('code: !custom x\n');
  assert.ok(!custom.ok && /not valid YAML/.test(custom.errors[0]?.message ?? ''));
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => {
    const prev = i === 0 ? 'a' : `l${i - 1}`;
    return `l${i}: &l${i} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
  })].join('\n');
  const r = parseDefinition(bomb);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.errors[0]?.message ?? '' : '', /not valid YAML/);
});

test('a definition over the size limit is refused before parsing', () => {
  const r = parseDefinition(`# ${'x'.repeat(300_000)}\ncode: a`);
  assert.ok(!r.ok && /longer than/.test(r.errors[0]?.message ?? ''));
});

test('shape errors name the path (zod)', () => {
  const d = sample();
  d.workflow.actions[3].by = 'robot';
  d.fields[0].type = 'colour';
  d.maturity = 7;
  d.extra = true;
  const errors = errorsOf(d);
  const paths = errors.map((e) => e.path);
  assert.ok(paths.includes('workflow.actions[3].by'), JSON.stringify(errors));
  assert.ok(paths.includes('fields[0].type'));
  assert.ok(paths.includes('maturity'));
  assert.ok(errors.some((e) => e.path === '' && /extra/.test(e.message)));
});

test('field, document, fee and action keys are unique', () => {
  const d = sample();
  d.fields.push({ key: 'floors', type: 'integer', label: { fa: 'تکرار' } });
  d.documents.push({ key: 'deed', title: { fa: 'تکرار' } });
  d.fees.push({ key: 'levy', title: { fa: 'تکرار' }, formula: '1' });
  d.workflow.actions.push({ from: 'submitted', name: 'accept', to: 'refused', roles: ['clerk'], requires: 'comment' });
  expectError(d, 'fields[6].key', /duplicate field key 'floors' \(first at fields\[1\]\.key\)/);
  expectError(d, 'documents[1].key', /duplicate document key 'deed'/);
  expectError(d, 'fees[1].key', /duplicate fee key 'levy'/);
  expectError(d, 'workflow.actions[6].name', /duplicate action \(from\.name\) 'submitted\.accept'/);
});

test('the same action name may leave different states', () => {
  const d = sample();
  d.workflow.actions.push({ from: 'payment', name: 'reject', to: 'refused', roles: ['clerk'], requires: 'comment' });
  assert.deepEqual(errorsOf(d), []);
});

test('options are required for select and multi-select, and only there; values unique', () => {
  const d = sample();
  delete d.fields[4].options;
  d.fields[2].options = [{ value: 'a', label: { fa: 'الف' } }];
  d.fields.push({ key: 'tags', type: 'multi-select', label: { fa: 'برچسب' }, options: [{ value: 'a', label: { fa: 'الف' } }, { value: 'a', label: { fa: 'ب' } }] });
  d.fields.push({ key: 'tags2', type: 'multi-select', label: { fa: 'برچسب' }, options: [{ value: 'a', label: { fa: 'الف' }, factor: 2 }] });
  expectError(d, 'fields[4].options', /a select field needs options/);
  expectError(d, 'fields[2].options', /only select and multi-select fields have options, not text/);
  expectError(d, 'fields[6].options[1].value', /duplicate option value 'a'/);
  expectError(d, 'fields[7].options', /only select options can have a factor/);
});

test('min <= max, bounds only where they mean something, whole numbers for lengths and integers', () => {
  const d = sample();
  d.fields[0].min = 10; d.fields[0].max = 5;
  d.fields[3].min = 1;
  d.fields[2].max = 600;
  d.fields[1].min = 1.5;
  d.fields.push({ key: 'note', type: 'textarea', label: { fa: 'یادداشت' }, min: -1 });
  d.fields.push({ key: 'tags', type: 'multi-select', label: { fa: 'برچسب' }, min: 3, options: [{ value: 'a', label: { fa: 'الف' } }] });
  expectError(d, 'fields[0].min', /min \(10\) is greater than max \(5\)/);
  expectError(d, 'fields[3].min', /min applies to .* not select/);
  expectError(d, 'fields[2].max', /holds at most 500 characters/);
  expectError(d, 'fields[1].min', /whole number/);
  expectError(d, 'fields[6].min', /cannot be negative/);
  expectError(d, 'fields[7].min', /more than the 1 options/);
});

test('a document type listed twice is reported', () => {
  const d = sample();
  d.documents[0].accept = ['pdf', 'pdf'];
  expectError(d, 'documents[0].accept[1]', /listed twice/);
});

test('workflow.start must exist and not be final', () => {
  const d = sample();
  d.workflow.start = 'nowhere';
  expectError(d, 'workflow.start', /'nowhere' is not among workflow\.states/);
  const e = sample();
  e.workflow.start = 'granted';
  expectError(e, 'workflow.start', /cannot be final/);
});

test("every action's from and to exist", () => {
  const d = sample();
  d.workflow.actions[3].to = 'limbo';
  d.workflow.actions[0].from = 'ghost';
  expectError(d, 'workflow.actions[3].to', /state 'limbo' is not among workflow\.states/);
  expectError(d, 'workflow.actions[0].from', /state 'ghost' is not among workflow\.states/);
});

test('final states have an outcome and no actions; outcomes only on final states; no deadline on final states', () => {
  const d = sample();
  delete d.workflow.states.granted.outcome;
  d.workflow.states.correction.outcome = 'refused';
  d.workflow.states.refused.sla = '2d';
  d.workflow.actions.push({ from: 'refused', name: 'reopen', to: 'submitted', roles: ['manager'] });
  expectError(d, 'workflow.states.granted.outcome', /needs an outcome/);
  expectError(d, 'workflow.states.correction.outcome', /only final states have an outcome/);
  expectError(d, 'workflow.states.refused.sla', /cannot have a deadline/);
  expectError(d, 'workflow.actions[6].from', /'refused' is final; final states have no actions/);
});

test('every non-final state has an action leaving it and is reachable from start, and can reach a final state', () => {
  const d = sample();
  d.workflow.states.archive = { roles: ['clerk'] };
  expectError(d, 'workflow.states.archive', /has no action leaving it/);
  expectError(d, 'workflow.states.archive', /cannot be reached from the start state 'submitted'/);
  const e = sample();
  e.workflow.states.review = { roles: ['manager'] };
  e.workflow.states.limbo = { roles: ['manager'] };
  e.workflow.actions.push({ from: 'submitted', name: 'review', to: 'review', roles: ['clerk'] });
  e.workflow.actions.push({ from: 'review', name: 'park', to: 'limbo', roles: ['manager'] });
  e.workflow.actions.push({ from: 'limbo', name: 'back', to: 'review', roles: ['manager'] });
  expectError(e, 'workflow.states.review', /no final state can be reached from state 'review'/);
  expectError(e, 'workflow.states.limbo', /no final state can be reached/);
  const f = sample();
  f.workflow.states.orphan = { final: true, outcome: 'withdrawn' };
  expectError(f, 'workflow.states.orphan', /cannot be reached/);
});

test('staff actions have roles; other actors do not; payment actions need a fee; refusals require a comment', () => {
  const d = sample();
  d.workflow.actions[0].roles = [];
  d.workflow.actions[3].roles = ['clerk'];
  d.workflow.actions[2].requires = [];
  expectError(d, 'workflow.actions[0].roles', /staff action 'accept' needs at least one role/);
  expectError(d, 'workflow.actions[3].roles', /only staff actions have roles; this one is by citizen/);
  expectError(d, 'workflow.actions[2].requires', /must require a comment/);
  const e = sample();
  e.fees = [];
  expectError(e, 'workflow.actions[4].by', /payment action needs at least one fee/);
});

test('a zero deadline is refused', () => {
  const d = sample();
  d.workflow.states.submitted.sla = '0d';
  expectError(d, 'workflow.states.submitted.sla', /is zero/);
});

test('fee formulas and conditions compile, and read only numeric fields, selects with factors, or their own params', () => {
  const d = sample();
  d.fees.push({ key: 'bad_syntax', title: { fa: 'الف' }, formula: 'area_m2 *' });
  d.fees.push({ key: 'text_field', title: { fa: 'ب' }, formula: 'owner_name * 2' });
  d.fees.push({ key: 'unknown', title: { fa: 'پ' }, formula: 'rate * 2' });
  d.fees.push({ key: 'no_factor', title: { fa: 'ت' }, formula: 'zone * 2' });
  d.fees.push({ key: 'bad_when', title: { fa: 'ث' }, formula: '1', when: 'urgent >' });
  d.fees.push({ key: 'good', title: { fa: 'ج' }, formula: 'urgent * fixed + floors * usage', params: { fixed: 5 } });
  d.fees.push({ key: 'shadow', title: { fa: 'چ' }, formula: 'floors', params: { floors: 5 } });
  expectError(d, 'fees[1].formula', /formula ends too early \(at position 10\)/);
  expectError(d, 'fees[2].formula', /field 'owner_name' is of type text/);
  expectError(d, 'fees[3].formula', /'rate' is neither a field key nor a param of this fee/);
  expectError(d, 'fees[4].formula', /select whose options do not all have a factor/);
  expectError(d, 'fees[5].when', /ends too early/);
  expectError(d, 'fees[7].params.floors', /has the name of a field/);
  assert.equal(errorsOf(d).filter((e) => e.path.startsWith('fees[6]')).length, 0);
});

test('result letter placeholders are field keys or the known facts, and the outcome exists', () => {
  const d = sample();
  d.result.granted.en = 'Issued for {owner} on {date}';
  d.result.refused = { fa: 'رد شد {tracking_code}' };
  delete d.workflow.states.refused;
  d.workflow.actions = d.workflow.actions.filter((a: { to: string }) => a.to !== 'refused');
  expectError(d, 'result.granted.en', /placeholder \{owner\} is neither a field key nor one of tracking_code, org, date, service/);
  expectError(d, 'result.refused', /no final state has the outcome refused/);
});

test('checkOverrides: fee params and SLAs must belong to the definition', () => {
  const r = checkDefinition(sample());
  assert.ok(r.ok);
  const ok = overridesSchema.parse({ fee_params: { levy: { rate: 2000 } }, sla: { submitted: '1d' } });
  assert.deepEqual(checkOverrides(r.definition, ok), []);
  const bad = overridesSchema.parse({ fee_params: { levy: { ratee: 1 }, nothing: { a: 1 } }, sla: { granted: '1d', ghost: '2d' } });
  const errors = checkOverrides(r.definition, bad);
  assert.deepEqual(errors.map((e) => e.path).sort(), ['fee_params.levy.ratee', 'fee_params.nothing', 'sla.ghost', 'sla.granted']);
});

test('serializeDefinition round-trips through YAML and JSON; YAML leaves defaults out', () => {
  const r = checkDefinition(sample());
  assert.ok(r.ok);
  for (const format of ['yaml', 'json'] as const) {
    const text = serializeDefinition(r.definition, format);
    const back = parseDefinition(text, format);
    assert.ok(back.ok, format);
    assert.deepEqual(back.definition, r.definition, format);
  }
  const yaml = serializeDefinition(r.definition, 'yaml');
  assert.doesNotMatch(yaml, /required: false/);
  assert.doesNotMatch(yaml, /by: staff/);
  assert.match(yaml, /title: \{ fa: مجوز نمونه, en: Sample permit \}/);
  assert.match(yaml, /roles: \[ clerk \]/);
});

test('the complete example in docs/service-definitions.md validates', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/service-definitions.md', import.meta.url)), 'utf8');
  const example = doc.split('## A complete example')[1]?.match(/```yaml\n([\s\S]*?)```/)?.[1];
  assert.ok(example, 'the example is there');
  const r = parseDefinition(example, 'yaml');
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  assert.equal(r.definition.code, 'house-number-certificate');
});

test('names of Object.prototype members are not taken for params, states or overrides', () => {
  const d = sample();
  d.fees[0].formula = 'area_m2 * toString';
  expectError(d, 'fees[0].formula', /'toString' is neither a field key nor a param of this fee/);
  const e = sample();
  e.workflow.states.constructor = { roles: ['clerk'] };
  e.workflow.actions.push({ from: 'submitted', name: 'hold', to: 'constructor', roles: ['clerk'] });
  e.workflow.actions.push({ from: 'constructor', name: 'release', to: 'payment', roles: ['clerk'] });
  const r = checkDefinition(e);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  const overrides = overridesSchema.parse({ fee_params: { levy: { valueOf: 1 } }, sla: { toString: '1d' } });
  assert.deepEqual(checkOverrides(r.definition, overrides).map((x) => x.path).sort(), ['fee_params.levy.valueOf', 'sla.toString']);
});
