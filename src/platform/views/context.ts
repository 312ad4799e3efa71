import type { Locale } from '../i18n/format.js';
import { t as translate } from '../i18n/messages.js';

/** What every page needs to know about the request it answers. */
export interface ViewContext {
  locale: Locale;
  dir: 'rtl' | 'ltr';
  t: (key: string, params?: Record<string, string | number>) => string;
  /** Path and query of this page, for the language switch to come back to. */
  path: string;
  user: { kind: 'citizen' | 'staff'; name: string } | null;
  csrf: string;
  isProduction: boolean;
  now: number;
}

export function makeViewContext(init: Omit<ViewContext, 't' | 'dir'>): ViewContext {
  return { ...init, dir: init.locale === 'fa' ? 'rtl' : 'ltr', t: (key, params) => translate(init.locale, key, params) };
}
