/**
 * Persian text handling: the normalization applied to stored user input, the fold shared by
 * the search index and search queries, and the parsing of Iranian mobile numbers and national
 * codes. Pure functions, no I/O.
 */
import { verifyIranianNationalId } from '@persian-tools/persian-tools';

const ZWNJ = '\u200C';

// C0 controls other than tab/newline/CR/VT/FF (those are whitespace and are collapsed), DEL,
// the bidi embeddings/overrides/isolates and marks (LRM, RLM, ALM) and the BOM: invisible
// characters that only make equal-looking strings differ or reorder the page around them.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const INVISIBLE_CONTROLS = /[\u0000-\u0008\u000E-\u001F\u007F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
// Zero-width space, soft hyphen and word joiner carry no meaning in Persian text.
const ZERO_WIDTH_NOISE = /[\u200B\u00AD\u2060]/g;
// Arabic presentation forms (pasted from old PDFs and Word files) map to the base letters.
const PRESENTATION_FORMS = /[\uFB50-\uFDFF\uFE70-\uFEFC]/g;
// Tatweel, the harakat (fathatan .. U+065F) and the superscript alef.
const TATWEEL_AND_DIACRITICS = /\u0640|[\u064B-\u065F]|\u0670/g;
const ARABIC_TO_PERSIAN_LETTERS: Readonly<Record<string, string>> = {
  '\u064A': '\u06CC', // ي Arabic yeh -> ی
  '\u0649': '\u06CC', // ى alef maksura -> ی
  '\u0643': '\u06A9', // ك Arabic kaf -> ک
};
const ARABIC_LETTERS_RE = /[\u064A\u0649\u0643]/g;

/** Options of {@link normalizePersian}. */
export interface NormalizeOptions {
  /** Keep line breaks (for multi-line fields): spaces collapse within lines, blank-line runs to one. */
  keepNewlines?: boolean;
}

/**
 * Returns the canonical stored form of user text: Persian ی/ک instead of Arabic letters, no
 * tatweel, diacritics or invisible controls, tidy ZWNJs, single spaces, trimmed. Digits unchanged.
 */
export function normalizePersian(text: string, options: NormalizeOptions = {}): string {
  let s = text
    .replace(INVISIBLE_CONTROLS, '')
    .replace(ZERO_WIDTH_NOISE, '')
    .replace(PRESENTATION_FORMS, (c) => c.normalize('NFKC'))
    .normalize('NFC')
    .replace(ARABIC_LETTERS_RE, (c) => ARABIC_TO_PERSIAN_LETTERS[c] ?? c)
    .replace(TATWEEL_AND_DIACRITICS, '')
    .replace(/\u200C{2,}/g, ZWNJ)
    .replace(/\u200C*(\s)\u200C*/g, '$1');
  s = options.keepNewlines ? collapseKeepingNewlines(s) : s.replace(/\s+/g, ' ').trim();
  return s.replace(/^\u200C+|\u200C+$/g, '');
}

function collapseKeepingNewlines(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const PERSIAN_ZERO = 0x06f0;
const ARABIC_INDIC_ZERO = 0x0660;

/** Replaces Persian (۰-۹) and Arabic-Indic (٠-٩) digits with ASCII 0-9; nothing else changes. */
export function toAsciiDigits(s: string): string {
  return s.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (c) => {
    const code = c.charCodeAt(0);
    const zero = code >= PERSIAN_ZERO ? PERSIAN_ZERO : ARABIC_INDIC_ZERO;
    return String(code - zero);
  });
}

/** Replaces ASCII and Arabic-Indic digits with Persian digits (۰-۹); nothing else changes. */
export function toPersianDigits(s: string): string {
  return toAsciiDigits(s).replace(/[0-9]/g, (c) => String.fromCharCode(PERSIAN_ZERO + Number(c)));
}

// Letters that are spelling variants for a searcher, folded only in the search key.
const SEARCH_LETTER_FOLD: Readonly<Record<string, string>> = {
  '\u0623': '\u0627', // أ -> ا
  '\u0625': '\u0627', // إ -> ا
  '\u0622': '\u0627', // آ -> ا
  '\u0671': '\u0627', // ٱ -> ا
  '\u06C0': '\u0647', // ۀ -> ه
  '\u0629': '\u0647', // ة -> ه
  '\u06C1': '\u0647', // ہ heh goal -> ه
  '\u06D5': '\u0647', // ە -> ه
};
const SEARCH_LETTER_RE = /[\u0623\u0625\u0622\u0671\u06C0\u0629\u06C1\u06D5]/g;
// Verb prefixes and suffixes that writers attach with a ZWNJ, a space or nothing.
const JOINED_PREFIX_RE = /(^| )(ن?می) (?=\S)/g;
const JOINED_SUFFIX_RE = / (هایشان|هایتان|هایمان|هایی|هایم|هایت|هایش|های|ها|ترین|تری|تر)(?= |$)/g;

/**
 * Returns the search fold of a text, applied identically when indexing and when querying.
 *
 * On top of {@link normalizePersian}: ASCII digits, lower case, alef variants and ۀ/ة folded to
 * ا/ه, punctuation and symbols turned into spaces, every ZWNJ removed. ZWNJ, space and nothing
 * are all used between a word and the prefixes می/نمی or the suffixes ها/های/تر/ترین (and their
 * possessive forms), so a space there is removed as well: «می‌خواهم», «میخواهم» and «می خواهم»
 * give the same key «میخواهم». All other spaces stay, so the key can be split into words.
 */
export function searchKey(text: string): string {
  return toAsciiDigits(normalizePersian(text))
    .toLowerCase()
    .replace(SEARCH_LETTER_RE, (c) => SEARCH_LETTER_FOLD[c] ?? c)
    .replace(/\u200C/g, '')
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(JOINED_PREFIX_RE, '$1$2')
    .replace(JOINED_SUFFIX_RE, '$1');
}

/**
 * Returns an Iranian mobile number as '09XXXXXXXXX', from any usual spelling (+98, 0098, 98, 0
 * or no prefix; Persian or ASCII digits; spaces, dashes, dots, parentheses), or null if it is not one.
 */
export function normalizeMobile(input: string): string | null {
  const compact = toAsciiDigits(input).replace(/[\s\-().\u200C]/g, '');
  const match = /^(\+)?(\d+)$/.exec(compact);
  if (!match) return null;
  const [, plus, digits = ''] = match;
  let national: string;
  if (plus) national = digits.startsWith('98') ? digits.slice(2) : '';
  else if (digits.startsWith('0098')) national = digits.slice(4);
  else if (digits.startsWith('98') && digits.length === 12) national = digits.slice(2);
  else national = digits;
  // A leading 0 after the country code ("+98 0912 ...") is a common slip; accept it.
  if (national.startsWith('0')) national = national.slice(1);
  return /^9\d{9}$/.test(national) ? `0${national}` : null;
}

/**
 * Returns a national code (کد ملی) as its 10 ASCII digits, or null if it is not 8-10 digits.
 * Codes with leading zeros are often written without them, so 8-9 digits are left-padded.
 * Does not check the checksum: see {@link isValidNationalCode}.
 */
export function normalizeNationalCode(input: string): string | null {
  const digits = toAsciiDigits(input).replace(/[\s\-.\u200C]/g, '');
  return /^\d{8,10}$/.test(digits) ? digits.padStart(10, '0') : null;
}

/** True when the input, after {@link normalizeNationalCode}, is a national code with a valid checksum and not all one digit. */
export function isValidNationalCode(code: string): boolean {
  const normalized = normalizeNationalCode(code);
  if (normalized === null || /^(\d)\1{9}$/.test(normalized)) return false;
  return verifyIranianNationalId(normalized);
}
