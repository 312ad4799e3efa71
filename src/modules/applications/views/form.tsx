import type { ViewContext } from '../../../platform/views/context.js';
import type { FieldDef, ServiceDefinition } from '../../catalog/definition.js';
import { loc } from './parts.js';

// The form generated from a service definition: one widget per field type, each labelled, with
// its hint and its error beside it, filled with what was stored or typed (nothing is lost when
// the server sends the form back). The browser's checks are a courtesy; the server decides.

const LOCATION_SUFFIXES = { lat: '__lat', lng: '__lng' } as const;

/** The value of a field as the text of an input: typed text stays as typed; stored dates show as 1405/09/08. */
function asInputText(field: FieldDef, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return field.type === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value.replace(/-/g, '/') : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

function hintOf(ctx: ViewContext, field: FieldDef): string | undefined {
  const own = loc(ctx, field.help);
  const general: Partial<Record<FieldDef['type'], string>> = {
    date: ctx.t('apply.date_hint'),
    'national-code': ctx.t('apply.national_code_hint'),
    mobile: ctx.t('apply.mobile_hint'),
    'postal-code': ctx.t('apply.postal_code_hint'),
    sheba: ctx.t('apply.sheba_hint'),
    money: ctx.t('apply.money_hint'),
    location: ctx.t('apply.location_hint'),
  };
  return [own, general[field.type]].filter(Boolean).join(' — ') || undefined;
}

function Label(props: { ctx: ViewContext; field: FieldDef; forId?: string; legend?: boolean }) {
  const text = loc(props.ctx, props.field.label);
  const mark = props.field.required ? <span aria-hidden="true" class="text-danger"> *</span> : null;
  return props.legend ? <legend class="form-label fs-6 mb-1">{text}{mark}</legend> : <label class="form-label" for={props.forId}>{text}{mark}</label>;
}

function Help(props: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {props.hint ? <div id={`${props.id}-hint`} class="form-text">{props.hint}</div> : null}
      {props.error ? <div id={`${props.id}-error`} class="invalid-feedback d-block">{props.error}</div> : null}
    </>
  );
}

/** One field's widget: text, textarea, numbers (numeric keyboard), Jalali date, select, checkboxes, codes, location. */
export function FieldWidget(props: { ctx: ViewContext; field: FieldDef; value: unknown; error?: string }) {
  const { ctx, field, error } = props;
  const id = `f-${field.key}`;
  const hint = hintOf(ctx, field);
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const invalid = error ? ' is-invalid' : '';
  const common = { 'aria-describedby': describedBy, 'aria-invalid': error ? ('true' as const) : undefined, 'aria-required': field.required ? ('true' as const) : undefined };

  switch (field.type) {
    case 'textarea':
      return (
        <div class="mb-3">
          <Label ctx={ctx} field={field} forId={id} />
          <textarea id={id} name={field.key} rows={3} class={`form-control${invalid}`} maxLength={field.max ?? 5000} {...common}>{asInputText(field, props.value)}</textarea>
          <Help id={id} hint={hint} error={error} />
        </div>
      );
    case 'select': {
      const current = asInputText(field, props.value);
      return (
        <div class="mb-3">
          <Label ctx={ctx} field={field} forId={id} />
          <select id={id} name={field.key} class={`form-select${invalid}`} {...common}>
            <option value="">{ctx.t('apply.select')}</option>
            {(field.options ?? []).map((o) => <option value={o.value} selected={o.value === current}>{loc(ctx, o.label)}</option>)}
          </select>
          <Help id={id} hint={hint} error={error} />
        </div>
      );
    }
    case 'multi-select': {
      const chosen = Array.isArray(props.value) ? props.value.map(String) : typeof props.value === 'string' && props.value ? [props.value] : [];
      return (
        <fieldset class="mb-3" id={id} aria-describedby={describedBy}>
          <Label ctx={ctx} field={field} legend />
          {(field.options ?? []).map((o, i) => (
            <div class="form-check">
              <input class={`form-check-input${invalid}`} type="checkbox" id={`${id}-${i}`} name={field.key} value={o.value} checked={chosen.includes(o.value)} />
              <label class="form-check-label" for={`${id}-${i}`}>{loc(ctx, o.label)}</label>
            </div>
          ))}
          <Help id={id} hint={hint} error={error} />
        </fieldset>
      );
    }
    case 'checkbox': {
      const on = props.value === true || props.value === 'on' || props.value === 'true' || props.value === '1';
      return (
        <div class="mb-3">
          <div class="form-check">
            <input class={`form-check-input${invalid}`} type="checkbox" id={id} name={field.key} value="on" checked={on} {...common} />
            <Label ctx={ctx} field={field} forId={id} />
          </div>
          <Help id={id} hint={hint} error={error} />
        </div>
      );
    }
    case 'location': {
      const v = (props.value && typeof props.value === 'object' && !Array.isArray(props.value) ? props.value : {}) as { lat?: unknown; lng?: unknown };
      const text = (x: unknown) => (x === undefined || x === null ? '' : String(x));
      return (
        <fieldset class="mb-3" id={id} aria-describedby={describedBy}>
          <Label ctx={ctx} field={field} legend />
          <div class="row g-2">
            <div class="col-sm-6">
              <label class="form-label small" for={`${id}-lat`}>{ctx.t('apply.location_lat')}</label>
              <input id={`${id}-lat`} name={`${field.key}${LOCATION_SUFFIXES.lat}`} type="text" inputMode="decimal" dir="ltr" class={`form-control pk-ltr${invalid}`} value={text(v.lat)} maxLength={20} {...common} />
            </div>
            <div class="col-sm-6">
              <label class="form-label small" for={`${id}-lng`}>{ctx.t('apply.location_lng')}</label>
              <input id={`${id}-lng`} name={`${field.key}${LOCATION_SUFFIXES.lng}`} type="text" inputMode="decimal" dir="ltr" class={`form-control pk-ltr${invalid}`} value={text(v.lng)} maxLength={20} {...common} />
            </div>
          </div>
          <Help id={id} hint={hint} error={error} />
        </fieldset>
      );
    }
    default: {
      const numeric = field.type === 'integer' || field.type === 'money' || field.type === 'national-code' || field.type === 'postal-code';
      const inputMode = numeric ? 'numeric' : field.type === 'number' ? 'decimal' : field.type === 'mobile' ? 'tel' : undefined;
      const ltr = field.type !== 'text';
      return (
        <div class="mb-3">
          <Label ctx={ctx} field={field} forId={id} />
          <input id={id} name={field.key} type={field.type === 'mobile' ? 'tel' : 'text'} inputMode={inputMode} dir={ltr ? 'ltr' : undefined}
            autocomplete={field.type === 'mobile' ? 'tel' : field.type === 'postal-code' ? 'postal-code' : 'off'}
            class={`form-control${ltr ? ' pk-ltr' : ''}${invalid}`} value={asInputText(field, props.value)} maxLength={field.type === 'text' ? field.max ?? 500 : 40}
            placeholder={field.type === 'date' ? '۱۴۰۵/۰۱/۰۱' : undefined} {...common} />
          <Help id={id} hint={hint} error={error} />
        </div>
      );
    }
  }
}

/** The fields of a definition, in order. */
export function DefinitionFields(props: { ctx: ViewContext; def: ServiceDefinition; values: Record<string, unknown>; errors: Record<string, string> }) {
  return <>{props.def.fields.map((f) => <FieldWidget ctx={props.ctx} field={f} value={props.values[f.key]} error={props.errors[f.key]} />)}</>;
}

/**
 * The form's fields from a urlencoded body: repeated names (multi-select) as lists, the two
 * inputs of a location as { lat, lng } (absent when both are empty), an unticked checkbox absent.
 */
export function formInput(def: ServiceDefinition, body: unknown): Record<string, unknown> {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 5000) : Array.isArray(v) && typeof v[0] === 'string' ? String(v[0]).slice(0, 5000) : undefined);
  const out: Record<string, unknown> = {};
  for (const f of def.fields) {
    if (f.type === 'location') {
      const lat = str(b[`${f.key}${LOCATION_SUFFIXES.lat}`])?.trim() ?? '';
      const lng = str(b[`${f.key}${LOCATION_SUFFIXES.lng}`])?.trim() ?? '';
      if (lat || lng) out[f.key] = { lat, lng };
    } else if (f.type === 'multi-select') {
      const v = b[f.key];
      const list = (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string').slice(0, 200);
      if (list.length) out[f.key] = list;
    } else {
      const v = str(b[f.key]);
      if (v !== undefined) out[f.key] = v;
    }
  }
  return out;
}
