// Every shipped reference definition (definitions/*.yaml) validates, and a full path through its
// workflow runs through the engine: sample form data built from the field types, fees, deadlines,
// the return/resubmit loop, both ways of settling a payment, and the result letter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BusinessCalendar } from '../../platform/calendar/business.js';
import { definitionSchema, type ActionDef, type FieldDef, type ServiceDefinition } from './definition.js';
import { parseDefinition, serializeDefinition } from './validate.js';
import { actionsFor, computeFees, dueAt, findAction, isFinal, outcomeOf, resultLetter, validateForm, type WorkflowActor } from './workflow.js';

const dir = fileURLToPath(new URL('../../../definitions/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const calendar = new BusinessCalendar({ thursday: 'off' });
const STAFF_ROLES = ['clerk', 'inspector', 'manager', 'org_admin'] as const;

function clamp(v: number, f: FieldDef): number {
  return Math.min(f.max ?? Infinity, Math.max(f.min ?? -Infinity, v));
}

function repeatTo(text: string, min: number | undefined, max: number | undefined): string {
  let s = text;
  while (s.length < (min ?? 0)) s += ` ${text}`;
  return max !== undefined && s.length > max ? s.slice(0, max).trim() : s;
}

/** What a careful applicant would type into each field, with Persian digits where people use them. */
function sampleInput(def: ServiceDefinition): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const f of def.fields) {
    switch (f.type) {
      case 'text': input[f.key] = repeatTo('نمونه ۱۲۳', f.min, f.max); break;
      case 'textarea': input[f.key] = repeatTo('ساری، خیابان فرهنگ، کوچه شهید رجایی، پلاک ۱۲', f.min, f.max); break;
      case 'integer': input[f.key] = String(clamp(3, f)).replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d))); break;
      case 'number': input[f.key] = String(clamp(120, f)); break;
      case 'money': input[f.key] = '۱٬۰۰۰٬۰۰۰'; break;
      case 'date': input[f.key] = '۱۴۰۵/۰۲/۱۵'; break;
      case 'select': input[f.key] = f.options?.[0]?.value; break;
      case 'multi-select': input[f.key] = (f.options ?? []).slice(0, Math.max(1, f.min ?? 1)).map((o) => o.value).join('،'); break;
      case 'checkbox': input[f.key] = 'on'; break;
      case 'national-code': input[f.key] = '۰۴۹۹۳۷۰۸۹۹'; break;
      case 'mobile': input[f.key] = '۰۹۱۲ ۱۲۳ ۴۵۶۷'; break;
      case 'postal-code': input[f.key] = '۴۸۱۶۹-۱۳۱۱۱'; break;
      case 'sheba': input[f.key] = 'IR82 0540 1026 8002 0817 9090 02'; break;
      case 'location': input[f.key] = '36.5659, 53.0586'; break;
    }
  }
  return input;
}

/** The actor that takes this action: its own actor kind, or the first listed role other than manager (so the path never leans on the manager's reach). */
function actorFor(def: ServiceDefinition, a: ActionDef): WorkflowActor {
  if (a.by !== 'staff') return { by: a.by };
  const role = STAFF_ROLES.find((r) => r !== 'manager' && a.roles.includes(r)) ?? 'manager';
  const who = { by: 'staff' as const, roles: [role] };
  assert.ok(actionsFor(def, a.from, who).includes(a), `${a.from}.${a.name} is available to ${role}`);
  return who;
}

/** The shortest list of actions from start to a state that `isGoal` accepts, never taking the actions named in `avoid`. */
function shortestPath(def: ServiceDefinition, isGoal: (state: string) => boolean, avoid: string[] = []): ActionDef[] | null {
  const prev = new Map<string, ActionDef | null>([[def.workflow.start, null]]);
  for (let frontier = [def.workflow.start]; frontier.length > 0;) {
    const next: string[] = [];
    for (const s of frontier) {
      if (isGoal(s)) {
        const path: ActionDef[] = [];
        for (let a = prev.get(s); a; a = prev.get(a.from)) path.unshift(a);
        return path;
      }
      for (const a of def.workflow.actions) {
        if (a.from === s && !avoid.includes(a.name) && !prev.has(a.to)) { prev.set(a.to, a); next.push(a.to); }
      }
    }
    frontier = next;
  }
  return null;
}

function pathTo(def: ServiceDefinition, outcome: string, avoid: string[] = []): ActionDef[] | null {
  return shortestPath(def, (s) => outcomeOf(def, s) === outcome, avoid);
}

/** A stand-in for an application: takes an action only if the engine offers it to the actor. */
class Case {
  state: string;
  at = new Date('2026-04-18T08:00:00+03:30').getTime(); // Saturday 29 Farvardin 1405
  readonly events: string[] = [];
  constructor(private readonly def: ServiceDefinition) {
    this.state = def.workflow.start;
  }
  act(name: string, who: WorkflowActor, given: { comment?: string; attachment?: boolean } = {}): void {
    const action = findAction(this.def, this.state, name);
    assert.ok(action, `${this.def.code}: no action ${name} in ${this.state}`);
    assert.ok(actionsFor(this.def, this.state, who).includes(action), `${this.def.code}: ${JSON.stringify(who)} may not ${name} in ${this.state}`);
    if (action.requires.includes('comment')) assert.ok(given.comment, `${name} requires a comment`);
    if (action.requires.includes('attachment')) assert.ok(given.attachment, `${name} requires an attachment`);
    const due = dueAt(calendar, this.def, null, this.state, this.at);
    const s = this.def.workflow.states[this.state];
    if (s?.sla && s.waits_for === 'office') assert.ok(due !== null && due > this.at, `${this.def.code}: ${this.state} has a deadline`);
    else assert.equal(due, null);
    this.events.push(`${this.state} -${name}-> ${action.to}`);
    this.state = action.to;
    this.at += 3_600_000;
  }
  run(path: ActionDef[]): void {
    for (const a of path) this.act(a.name, actorFor(this.def, a), { comment: 'توضیح کارشناس', attachment: true });
  }
}

test('definitions/ ships at least twelve services', () => {
  assert.ok(files.length >= 12, files.join(', '));
});

for (const file of files) {
  const text = readFileSync(join(dir, file), 'utf8');
  const parsed = parseDefinition(text, 'yaml');

  test(`${file}: parses and validates with no errors`, () => {
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors, null, 2));
    const def = parsed.definition;
    assert.equal(`${def.code}.yaml`, basename(file), 'file name = code');
    assert.ok(def.title.en && def.summary?.fa && def.summary.en, 'Persian and English title and summary');
    assert.ok(def.keywords.length >= 5, 'keywords with alternative spellings');
    assert.ok(def.fields.length >= 5 && def.documents.length >= 1 && def.fees.length >= 1);
    assert.ok(def.fields.every((f) => f.label.en), 'every field has an English label');
    assert.ok(Object.values(def.workflow.states).every((s) => s.title?.fa && s.title.en), 'every state has a title');
    assert.ok(def.result?.granted?.fa && def.result.granted.en, 'a result letter in both languages');
    // Stored as JSON and parsed again by catalog/lookup.ts: the same definition.
    assert.deepEqual(definitionSchema.parse(JSON.parse(JSON.stringify(def))), def);
  });

  test(`${file}: Persian text uses Persian ی and ک (Arabic letters appear only as search keywords)`, () => {
    assert.ok(parsed.ok);
    const { keywords: _keywords, ...rest } = parsed.definition;
    assert.doesNotMatch(JSON.stringify(rest), /[يك]/);
  });

  test(`${file}: sample data passes validateForm; an empty final form names every required field`, () => {
    assert.ok(parsed.ok);
    const def = parsed.definition;
    const { errors, values } = validateForm(def, sampleInput(def), { partial: false });
    assert.deepEqual(errors, {});
    assert.ok(Object.values(values).every((v) => v !== null));
    assert.deepEqual(validateForm(def, {}, { partial: true }).errors, {});
    const empty = validateForm(def, {}, { partial: false }).errors;
    assert.deepEqual(Object.keys(empty).sort(), def.fields.filter((f) => f.required).map((f) => f.key).sort());
  });

  test(`${file}: fees come to a positive whole number of Rials`, () => {
    assert.ok(parsed.ok);
    const def = parsed.definition;
    const { values } = validateForm(def, sampleInput(def), { partial: false });
    const fees = computeFees(def, null, values);
    assert.ok(fees.items.length > 0);
    assert.ok(fees.items.every((i) => Number.isSafeInteger(i.amount) && i.amount >= 0));
    assert.ok(Number.isSafeInteger(fees.total) && fees.total > 0, `total ${fees.total}`);
    // Overriding every param with 0 never makes a fee negative or throw.
    const zero = { enabled: true, sla: {}, office: {}, fee_params: Object.fromEntries(def.fees.map((f) => [f.key, Object.fromEntries(Object.keys(f.params).map((p) => [p, 0]))])) };
    const zeroed = computeFees(def, zero, values);
    assert.ok(zeroed.items.every((i) => i.amount >= 0));
  });

  test(`${file}: a full path runs from start to a granted final state`, () => {
    assert.ok(parsed.ok);
    const def = parsed.definition;
    const path = pathTo(def, 'granted');
    assert.ok(path && path.length > 0, 'a path to granted');
    const c = new Case(def);
    c.run(path);
    assert.ok(isFinal(def, c.state));
    assert.equal(outcomeOf(def, c.state), 'granted');
    assert.ok(path.some((a) => a.by === 'staff'), 'staff act on the way');
    const { values } = validateForm(def, sampleInput(def), { partial: false });
    const letter = resultLetter(def, 'granted', values, { tracking_code: 'SARI-1405-000123', org: 'شهرداری ساری', date: '۱۴۰۵/۰۲/۲۹' }, 'fa');
    assert.ok(letter?.includes('SARI-1405-000123'));
    assert.doesNotMatch(letter ?? '', /\{[a-z_]+\}/, 'every placeholder filled');
    assert.doesNotMatch(resultLetter(def, 'granted', values, { tracking_code: 'X', org: 'Sari', date: '2026-05-19' }, 'en') ?? '', /\{[a-z_]+\}/);
  });

  test(`${file}: a payment is settled online (by: payment) or confirmed by a clerk`, () => {
    assert.ok(parsed.ok);
    const def = parsed.definition;
    const paid = def.workflow.actions.filter((a) => a.by === 'payment');
    assert.ok(paid.length > 0, 'the workflow has a payment step');
    for (const a of paid) {
      const confirm = findAction(def, a.from, 'confirm_payment');
      assert.ok(confirm, `confirm_payment beside ${a.from}.${a.name}`);
      assert.equal(confirm.to, a.to);
      assert.ok(actionsFor(def, a.from, { by: 'staff', roles: ['clerk'] }).includes(confirm));
      assert.equal(def.workflow.states[a.from]?.waits_for, 'citizen', 'the payment state waits for the citizen');
    }
    // Both ways lead to granted.
    const online = pathTo(def, 'granted', ['confirm_payment']);
    const counter = pathTo(def, 'granted', ['paid']);
    assert.ok(online?.some((a) => a.by === 'payment'));
    assert.ok(counter?.some((a) => a.name === 'confirm_payment'));
    for (const p of [online, counter]) {
      const c = new Case(def);
      c.run(p ?? []);
      assert.equal(outcomeOf(def, c.state), 'granted');
    }
  });

  test(`${file}: the return/resubmit loop works and refusals require a comment`, () => {
    assert.ok(parsed.ok);
    const def = parsed.definition;
    const returns = def.workflow.actions.filter((a) => a.name === 'return');
    assert.ok(returns.length > 0, 'the service can be returned for correction');
    for (const r of returns) {
      const d = new Case(def);
      d.run(shortestPath(def, (s) => s === r.from, ['return']) ?? []);
      assert.equal(d.state, r.from);
      assert.ok(r.to_citizen && r.requires.includes('comment'), 'a return tells the citizen why');
      d.act('return', actorFor(def, r), { comment: 'مدارک ناقص است' });
      assert.equal(def.workflow.states[d.state]?.waits_for, 'citizen');
      assert.equal(dueAt(calendar, def, null, d.state, d.at), null, 'no office deadline while the citizen corrects');
      assert.deepEqual(actionsFor(def, d.state, { by: 'staff', roles: ['manager'] }), []);
      const resubmit = actionsFor(def, d.state, { by: 'citizen' }).find((a) => a.name === 'resubmit');
      assert.ok(resubmit, 'the citizen can resubmit');
      d.act('resubmit', { by: 'citizen' });
      assert.equal(d.state, def.workflow.start);
      const rest = pathTo(def, 'granted');
      d.run(rest ?? []);
      assert.equal(outcomeOf(def, d.state), 'granted');
    }
    for (const a of def.workflow.actions) {
      if (outcomeOf(def, a.to) === 'refused' && a.by === 'staff') assert.ok(a.requires.includes('comment'), `${a.from}.${a.name}`);
    }
  });

  test(`${file}: serializes to YAML and JSON and parses back to the same definition`, () => {
    assert.ok(parsed.ok);
    for (const format of ['yaml', 'json'] as const) {
      const again = parseDefinition(serializeDefinition(parsed.definition, format), format);
      assert.ok(again.ok, format);
      assert.deepEqual(again.definition, parsed.definition);
    }
  });
}
