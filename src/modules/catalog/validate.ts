/**
 * Import and export of service definitions: YAML or JSON text -> a checked ServiceDefinition,
 * with every problem reported as { path, message } (paths like `workflow.actions[3].to`), and
 * back to text. Shapes are checked by definitionSchema; this file adds the checks across parts.
 */
import { Document, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import {
  BOUNDED_FIELD_TYPES,
  DOCUMENT_TYPES,
  NUMERIC_FIELD_TYPES,
  RESULT_PLACEHOLDERS,
  TEXTAREA_MAX_LENGTH,
  TEXT_MAX_LENGTH,
  definitionSchema,
  type FieldDef,
  type Overrides,
  type ServiceDefinition,
} from './definition.js';
import { FormulaError, compileFormula } from './formula.js';

/** One problem in a definition: where (a path into the document; '' for the whole text) and what. */
export interface DefinitionError {
  path: string;
  message: string;
}

export type ParseResult = { ok: true; definition: ServiceDefinition } | { ok: false; errors: DefinitionError[] };

/** Largest definition text accepted, in characters (the shipped ones are under 20 000). */
export const MAX_DEFINITION_LENGTH = 256_000;
const MAX_YAML_ALIASES = 50;

/** A path as written in messages: `fields[2].options`, `workflow.states.payment.outcome`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** True when the object has this key itself (not 'constructor' or 'toString' from its prototype). */
function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function zodErrors(error: z.ZodError): DefinitionError[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

function readText(text: string, format: 'yaml' | 'json' | undefined): { ok: true; value: unknown } | { ok: false; errors: DefinitionError[] } {
  if (typeof text !== 'string') return { ok: false, errors: [{ path: '', message: 'the definition must be text' }] };
  if (text.length > MAX_DEFINITION_LENGTH) {
    return { ok: false, errors: [{ path: '', message: `the definition is longer than ${MAX_DEFINITION_LENGTH} characters` }] };
  }
  const fmt = format ?? (/^\s*\{/.test(text) ? 'json' : 'yaml');
  if (fmt === 'json') {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (e) {
      return { ok: false, errors: [{ path: '', message: `not valid JSON: ${(e as Error).message}` }] };
    }
  }
  // The core schema builds only plain data (maps, lists, strings, numbers, booleans, null); an
  // unknown tag is a warning that we treat as an error, so no document can ask for other types.
  const doc = parseDocument(text, { schema: 'core', uniqueKeys: true, prettyErrors: true, strict: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    return { ok: false, errors: problems.map((p) => ({ path: '', message: `not valid YAML: ${p.message.split('\n')[0]}` })) };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (e) {
    return { ok: false, errors: [{ path: '', message: `not valid YAML: ${(e as Error).message}` }] };
  }
}

/**
 * Parses a definition from YAML or JSON (guessed from the first character when format is not
 * given), checks its shape and then its meaning; returns the definition with defaults filled in,
 * or every problem found.
 */
export function parseDefinition(text: string, format?: 'yaml' | 'json'): ParseResult {
  const read = readText(text, format);
  if (!read.ok) return read;
  return checkDefinition(read.value);
}

/** Checks an already-parsed value (e.g. a JSON API body) as {@link parseDefinition} does. */
export function checkDefinition(value: unknown): ParseResult {
  const shaped = definitionSchema.safeParse(value);
  if (!shaped.success) return { ok: false, errors: zodErrors(shaped.error) };
  const errors = semanticErrors(shaped.data);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, definition: shaped.data };
}

function duplicates<T>(items: readonly T[], keyOf: (item: T) => string, path: (i: number) => string, what: string, errors: DefinitionError[]): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = keyOf(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else errors.push({ path: path(i), message: `duplicate ${what} '${k}' (first at ${path(first)})` });
  });
}

/** True when a field can be read by fee formulas. */
export function isFormulaField(f: FieldDef): boolean {
  if (NUMERIC_FIELD_TYPES.includes(f.type)) return true;
  return f.type === 'select' && (f.options ?? []).length > 0 && (f.options ?? []).every((o) => o.factor !== undefined);
}

function checkFields(def: ServiceDefinition, errors: DefinitionError[]): void {
  duplicates(def.fields, (f) => f.key, (i) => `fields[${i}].key`, 'field key', errors);
  def.fields.forEach((f, i) => {
    const at = `fields[${i}]`;
    const choice = f.type === 'select' || f.type === 'multi-select';
    if (choice && !f.options) errors.push({ path: `${at}.options`, message: `a ${f.type} field needs options` });
    if (!choice && f.options) errors.push({ path: `${at}.options`, message: `only select and multi-select fields have options, not ${f.type}` });
    if (f.options) duplicates(f.options, (o) => o.value, (j) => `${at}.options[${j}].value`, 'option value', errors);
    if (f.type !== 'select' && f.options?.some((o) => o.factor !== undefined)) {
      errors.push({ path: `${at}.options`, message: 'only select options can have a factor' });
    }
    for (const bound of ['min', 'max'] as const) {
      const v = f[bound];
      if (v === undefined) continue;
      if (!BOUNDED_FIELD_TYPES.includes(f.type)) {
        errors.push({ path: `${at}.${bound}`, message: `${bound} applies to ${BOUNDED_FIELD_TYPES.join(', ')} fields, not ${f.type}` });
        continue;
      }
      const countsSomething = f.type === 'text' || f.type === 'textarea' || f.type === 'multi-select' || f.type === 'integer' || f.type === 'money';
      if (countsSomething && !Number.isInteger(v)) errors.push({ path: `${at}.${bound}`, message: `${bound} must be a whole number for a ${f.type} field` });
      if ((f.type === 'text' || f.type === 'textarea' || f.type === 'multi-select' || f.type === 'money') && v < 0) {
        errors.push({ path: `${at}.${bound}`, message: `${bound} cannot be negative for a ${f.type} field` });
      }
    }
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) {
      errors.push({ path: `${at}.min`, message: `min (${f.min}) is greater than max (${f.max})` });
    }
    const cap = f.type === 'text' ? TEXT_MAX_LENGTH : f.type === 'textarea' ? TEXTAREA_MAX_LENGTH : undefined;
    if (cap !== undefined && f.max !== undefined && f.max > cap) {
      errors.push({ path: `${at}.max`, message: `a ${f.type} field holds at most ${cap} characters` });
    }
    if (f.type === 'multi-select' && f.options && f.min !== undefined && f.min > f.options.length) {
      errors.push({ path: `${at}.min`, message: `min (${f.min}) is more than the ${f.options.length} options` });
    }
  });
}

function checkFees(def: ServiceDefinition, errors: DefinitionError[]): void {
  duplicates(def.fees, (f) => f.key, (i) => `fees[${i}].key`, 'fee key', errors);
  const fields = new Map(def.fields.map((f) => [f.key, f]));
  def.fees.forEach((fee, i) => {
    for (const p of Object.keys(fee.params)) {
      if (fields.has(p)) errors.push({ path: `fees[${i}].params.${p}`, message: `param '${p}' has the name of a field; rename one of them` });
    }
    for (const part of ['formula', 'when'] as const) {
      const source = fee[part];
      if (source === undefined) continue;
      const path = `fees[${i}].${part}`;
      let identifiers: string[];
      try {
        identifiers = compileFormula(source).identifiers;
      } catch (e) {
        if (e instanceof FormulaError) { errors.push({ path, message: e.message }); continue; }
        throw e;
      }
      for (const name of identifiers) {
        if (hasOwn(fee.params, name)) continue;
        const field = fields.get(name);
        if (!field) {
          errors.push({ path, message: `'${name}' is neither a field key nor a param of this fee` });
        } else if (!isFormulaField(field)) {
          errors.push({
            path,
            message: field.type === 'select'
              ? `field '${name}' is a select whose options do not all have a factor`
              : `field '${name}' is of type ${field.type}; formulas read integer, number, money and checkbox fields (and selects with factors)`,
          });
        }
      }
    }
  });
}

function checkWorkflow(def: ServiceDefinition, errors: DefinitionError[]): void {
  const { start, states, actions } = def.workflow;
  const has = (s: string) => Object.prototype.hasOwnProperty.call(states, s);
  if (!has(start)) errors.push({ path: 'workflow.start', message: `start state '${start}' is not among workflow.states` });
  else if (states[start]?.final) errors.push({ path: 'workflow.start', message: `start state '${start}' cannot be final` });

  duplicates(actions, (a) => `${a.from}.${a.name}`, (i) => `workflow.actions[${i}].name`, 'action (from.name)', errors);
  actions.forEach((a, i) => {
    const at = `workflow.actions[${i}]`;
    if (!has(a.from)) errors.push({ path: `${at}.from`, message: `state '${a.from}' is not among workflow.states` });
    else if (states[a.from]?.final) errors.push({ path: `${at}.from`, message: `state '${a.from}' is final; final states have no actions` });
    if (!has(a.to)) errors.push({ path: `${at}.to`, message: `state '${a.to}' is not among workflow.states` });
    if (a.by === 'staff' && a.roles.length === 0) errors.push({ path: `${at}.roles`, message: `staff action '${a.name}' needs at least one role` });
    if (a.by !== 'staff' && a.roles.length > 0) errors.push({ path: `${at}.roles`, message: `only staff actions have roles; this one is by ${a.by}` });
    if (a.by === 'payment' && def.fees.length === 0) errors.push({ path: `${at}.by`, message: 'a payment action needs at least one fee in fees' });
    const target = states[a.to];
    if (target?.final && target.outcome === 'refused' && a.by === 'staff' && !a.requires.includes('comment')) {
      errors.push({ path: `${at}.requires`, message: `'${a.name}' refuses the application, so it must require a comment (the reason given to the citizen)` });
    }
  });

  for (const [name, s] of Object.entries(states)) {
    const at = `workflow.states.${name}`;
    if (s.final) {
      if (!s.outcome) errors.push({ path: `${at}.outcome`, message: `final state '${name}' needs an outcome (granted, refused or withdrawn)` });
      if (s.sla) errors.push({ path: `${at}.sla`, message: `final state '${name}' cannot have a deadline` });
    } else {
      if (s.outcome) errors.push({ path: `${at}.outcome`, message: `only final states have an outcome; set final: true or remove it` });
      if (!actions.some((a) => a.from === name)) errors.push({ path: at, message: `state '${name}' is not final and has no action leaving it` });
    }
    if (s.sla !== undefined && Number(s.sla.slice(0, -1)) === 0) {
      errors.push({ path: `${at}.sla`, message: `deadline '${s.sla}' is zero; leave sla out for no deadline` });
    }
  }

  if (!has(start)) return;
  const reachable = new Set<string>([start]);
  for (let frontier = [start]; frontier.length > 0;) {
    const next: string[] = [];
    for (const s of frontier) {
      for (const a of actions) {
        if (a.from === s && has(a.to) && !reachable.has(a.to)) { reachable.add(a.to); next.push(a.to); }
      }
    }
    frontier = next;
  }
  // States from which some final state can be reached, found backwards from the final states.
  const canFinish = new Set(Object.keys(states).filter((s) => states[s]?.final));
  for (let grew = true; grew;) {
    grew = false;
    for (const a of actions) {
      if (canFinish.has(a.to) && has(a.from) && !canFinish.has(a.from)) { canFinish.add(a.from); grew = true; }
    }
  }
  for (const name of Object.keys(states)) {
    if (!reachable.has(name)) errors.push({ path: `workflow.states.${name}`, message: `state '${name}' cannot be reached from the start state '${start}'` });
    else if (!canFinish.has(name)) errors.push({ path: `workflow.states.${name}`, message: `no final state can be reached from state '${name}'` });
  }
}

function checkDocuments(def: ServiceDefinition, errors: DefinitionError[]): void {
  duplicates(def.documents, (d) => d.key, (i) => `documents[${i}].key`, 'document key', errors);
  def.documents.forEach((d, i) => {
    const seen = new Set<string>();
    d.accept.forEach((type, j) => {
      if (seen.has(type)) errors.push({ path: `documents[${i}].accept[${j}]`, message: `file type '${type}' is listed twice (types: ${DOCUMENT_TYPES.join(', ')})` });
      seen.add(type);
    });
  });
}

/** The {names} used in a result-letter text. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(/\{([^{}\s]*)\}/g)].map((m) => m[1] ?? '');
}

function checkResult(def: ServiceDefinition, errors: DefinitionError[]): void {
  const fieldKeys = new Set(def.fields.map((f) => f.key));
  const allowed = (name: string) => fieldKeys.has(name) || (RESULT_PLACEHOLDERS as readonly string[]).includes(name);
  for (const outcome of ['granted', 'refused'] as const) {
    const letter = def.result?.[outcome];
    if (!letter) continue;
    for (const lang of ['fa', 'en'] as const) {
      for (const name of placeholdersOf(letter[lang] ?? '')) {
        if (!allowed(name)) {
          errors.push({ path: `result.${outcome}.${lang}`, message: `placeholder {${name}} is neither a field key nor one of ${RESULT_PLACEHOLDERS.join(', ')}` });
        }
      }
    }
    if (!Object.values(def.workflow.states).some((s) => s.final && s.outcome === outcome)) {
      errors.push({ path: `result.${outcome}`, message: `no final state has the outcome ${outcome}, so this letter is never issued` });
    }
  }
}

/** The checks across parts that the schema cannot express; [] when the definition is sound. */
export function semanticErrors(def: ServiceDefinition): DefinitionError[] {
  const errors: DefinitionError[] = [];
  checkFields(def, errors);
  checkDocuments(def, errors);
  checkFees(def, errors);
  checkWorkflow(def, errors);
  checkResult(def, errors);
  return errors;
}

/**
 * Checks an adopting organization's overrides against the definition they apply to: fee
 * params must be params of that fee, SLAs must be for non-final states. Paths start at the
 * overrides object (`fee_params.permit_levy.rate_per_m2`).
 */
export function checkOverrides(def: ServiceDefinition, overrides: Overrides): DefinitionError[] {
  const errors: DefinitionError[] = [];
  for (const [feeKey, params] of Object.entries(overrides.fee_params)) {
    const fee = def.fees.find((f) => f.key === feeKey);
    if (!fee) { errors.push({ path: `fee_params.${feeKey}`, message: `the service has no fee '${feeKey}'` }); continue; }
    for (const p of Object.keys(params)) {
      if (!hasOwn(fee.params, p)) errors.push({ path: `fee_params.${feeKey}.${p}`, message: `fee '${feeKey}' has no param '${p}'` });
    }
  }
  for (const state of Object.keys(overrides.sla)) {
    const s = hasOwn(def.workflow.states, state) ? def.workflow.states[state] : undefined;
    if (!s) errors.push({ path: `sla.${state}`, message: `the workflow has no state '${state}'` });
    else if (s.final) errors.push({ path: `sla.${state}`, message: `state '${state}' is final and has no deadline` });
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Export

// Lists whose default is empty, and what kind of object sits under each key (for the defaults of that kind).
const EMPTY_BY_DEFAULT = new Set(['keywords', 'fields', 'documents', 'fees', 'roles', 'requires']);
const CHILD_KIND: Record<string, Record<string, string>> = {
  definition: { documents: 'document', workflow: 'workflow' },
  workflow: { actions: 'action', states: 'states' },
};

function isDefault(parentKind: string, k: string, v: unknown): boolean {
  if (k === 'required' || k === 'final' || k === 'to_citizen') return v === false;
  if (EMPTY_BY_DEFAULT.has(k) && Array.isArray(v)) return v.length === 0;
  if (k === 'params' && v && typeof v === 'object') return Object.keys(v).length === 0;
  if (parentKind === 'definition' && k === 'audience') return v === 'G2C';
  if (parentKind === 'action' && k === 'by') return v === 'staff';
  if (parentKind === 'state' && k === 'waits_for') return v === 'office';
  if (parentKind === 'document' && k === 'max_mb') return v === 10;
  if (parentKind === 'document' && k === 'accept') return Array.isArray(v) && v.join(',') === 'pdf,jpg,png';
  return false;
}

function stripDefaults(value: unknown, kind: string): unknown {
  if (Array.isArray(value)) return value.map((v) => stripDefaults(v, kind));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || isDefault(kind, k, v)) continue;
    const childKind = kind === 'states' ? 'state' : (hasOwn(CHILD_KIND[kind] ?? {}, k) ? CHILD_KIND[kind]?.[k] : undefined) ?? 'other';
    out[k] = stripDefaults(v, childKind);
  }
  return out;
}

const INLINE_WIDTH = 120;

function inlineWidth(node: YamlNode): number {
  return JSON.stringify(node.toJSON()).length;
}

/**
 * Writes a definition as YAML (readable: values equal to their default are left out, small maps
 * and lists of plain values are written inline) or as JSON (complete, 2-space indented).
 * parseDefinition(serializeDefinition(d, f)) gives back d.
 */
export function serializeDefinition(def: ServiceDefinition, format: 'yaml' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(def, null, 2)}\n`;
  const doc = new Document(stripDefaults(def, 'definition'));
  // Small maps and lists of plain values inline ({ fa: ..., en: ... }, [clerk]); then records of a
  // list (fields, actions) that are short enough, one per line.
  visit(doc, {
    Map(_, node) {
      if (node.items.every((p) => isPair(p) && isScalar(p.value)) && inlineWidth(node) <= INLINE_WIDTH) node.flow = true;
    },
    Seq(_, node) {
      if (node.items.every((n) => isScalar(n)) && inlineWidth(node) <= INLINE_WIDTH) node.flow = true;
    },
  });
  visit(doc, {
    Seq(_, node) {
      for (const item of node.items) {
        const simple = isMap(item) && item.items.every((p) => isPair(p) && (isScalar(p.value) || ((isMap(p.value) || isSeq(p.value)) && p.value.flow)));
        if (simple && inlineWidth(item) <= INLINE_WIDTH + 40) item.flow = true;
      }
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}
