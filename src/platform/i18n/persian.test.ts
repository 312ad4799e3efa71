import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isValidNationalCode,
  normalizeMobile,
  normalizeNationalCode,
  normalizePersian,
  searchKey,
  toAsciiDigits,
  toPersianDigits,
} from './persian.js';

const ZWNJ = '\u200C';

test('Arabic yeh, alef maksura and kaf become Persian ی and ک; ئ, ة and ۀ are kept', () => {
  assert.equal(normalizePersian('شهرداري'), 'شهرداری');
  assert.equal(normalizePersian('مصطفى'), 'مصطفی');
  assert.equal(normalizePersian('كتاب'), 'کتاب');
  assert.equal(normalizePersian('مسئول'), 'مسئول');
  assert.equal(normalizePersian('مدرسة خانۀ'), 'مدرسة خانۀ');
});

test('the article spelling «شهرداري» (Arabic yeh) and «شهرداری» have the same search key', () => {
  assert.equal(searchKey('شهرداري ساري'), searchKey('شهرداری ساری'));
  assert.equal(searchKey('شهرداري'), 'شهرداری');
});

test('tatweel and diacritics are removed', () => {
  assert.equal(normalizePersian('بـــزرگ'), 'بزرگ');
  assert.equal(normalizePersian('مُحَمَّد'), 'محمد');
  assert.equal(normalizePersian('کتاباً'), 'کتابا');
  assert.equal(normalizePersian('رحمٰن'), 'رحمن');
});

test('whitespace collapses to single spaces and the text is trimmed', () => {
  assert.equal(normalizePersian('  سلام \t\n\u00A0 دنیا  '), 'سلام دنیا');
  assert.equal(normalizePersian('خط اول  \r\n\r\n\r\n  خط   دوم', { keepNewlines: true }), 'خط اول\n\nخط دوم');
});

test('invisible controls, bidi marks and zero-width noise are stripped', () => {
  assert.equal(normalizePersian('\u202Bسلام\u202C\u0000'), 'سلام');
  assert.equal(normalizePersian('\u2067سلام\u2069\u200F'), 'سلام');
  assert.equal(normalizePersian('سل\u200Bام'), 'سلام');
  assert.equal(normalizePersian('سل\u00ADام'), 'سلام');
});

test('ZWNJ is kept between letters, collapsed when repeated, dropped at spaces and edges', () => {
  assert.equal(normalizePersian(`می${ZWNJ}خواهم`), `می${ZWNJ}خواهم`);
  assert.equal(normalizePersian(`می${ZWNJ}${ZWNJ}${ZWNJ}خواهم`), `می${ZWNJ}خواهم`);
  assert.equal(normalizePersian(`می${ZWNJ} خواهم`), 'می خواهم');
  assert.equal(normalizePersian(`می ${ZWNJ} خواهم`), 'می خواهم');
  assert.equal(normalizePersian(`${ZWNJ}سلام${ZWNJ}`), 'سلام');
});

test('Arabic presentation forms pasted from old documents become ordinary letters', () => {
  assert.equal(normalizePersian('\uFEB3\uFEFC\uFEE1'), 'سلام');
});

test('normalizePersian leaves digits alone', () => {
  assert.equal(normalizePersian('پلاک ۱۲ و 34 و ٥٦'), 'پلاک ۱۲ و 34 و ٥٦');
});

test('digits convert between Persian, Arabic-Indic and ASCII', () => {
  assert.equal(toAsciiDigits('۰۱۲۳۴۵۶۷۸۹ ٠١٢٣٤٥٦٧٨٩ abc'), '0123456789 0123456789 abc');
  assert.equal(toPersianDigits('1405/09/08'), '۱۴۰۵/۰۹/۰۸');
  assert.equal(toPersianDigits('٤٥'), '۴۵');
});

test('ZWNJ, space and joined spellings of می/نمی and ها/تر words share one search key', () => {
  const want = searchKey('میخواهم');
  assert.equal(want, 'میخواهم');
  assert.equal(searchKey(`می${ZWNJ}خواهم`), want);
  assert.equal(searchKey('می خواهم'), want);
  assert.equal(searchKey('نمی خواهم'), searchKey(`نمی${ZWNJ}خواهم`));
  assert.equal(searchKey('کتاب ها'), searchKey(`کتاب${ZWNJ}ها`));
  assert.equal(searchKey('کتاب های من'), searchKey('کتابهای من'));
  assert.equal(searchKey('بزرگ ترین'), searchKey(`بزرگ${ZWNJ}ترین`));
  assert.equal(searchKey(`درخواست${ZWNJ}ها پروانه`), 'درخواستها پروانه');
});

test('search key folds digits, case, alef variants, ۀ and punctuation', () => {
  assert.equal(searchKey('پلاک ۱۲'), searchKey('پلاک 12'));
  assert.equal(searchKey('Building PERMIT'), 'building permit');
  assert.equal(searchKey('آب'), searchKey('اب'));
  assert.equal(searchKey('إسلام أمين'), 'اسلام امین');
  assert.equal(searchKey('خانۀ'), searchKey('خانه'));
  assert.equal(searchKey('«پروانه ساختمانی»، صدور!'), 'پروانه ساختمانی صدور');
  assert.equal(searchKey('SAR-1405-000123'), searchKey('sar 1405 000123'));
});

test('common Iranian mobile formats normalize to 09XXXXXXXXX', () => {
  const inputs = [
    '09121234567',
    '9121234567',
    '+989121234567',
    '00989121234567',
    '989121234567',
    '۰۹۱۲۱۲۳۴۵۶۷',
    '٠٩١٢١٢٣٤٥٦٧',
    '0912 123 4567',
    '0912-123-4567',
    '(0912) 123-4567',
    '+98 912 123 4567',
    '+98 (0) 912 123 4567',
    ' ۰۹۱۲-۱۲۳-۴۵۶۷ ',
  ];
  for (const input of inputs) assert.equal(normalizeMobile(input), '09121234567', input);
  assert.equal(normalizeMobile('09901234567'), '09901234567');
});

test('landlines, wrong lengths, letters and foreign numbers are not mobiles', () => {
  const inputs = [
    '0211234567',
    '02112345678',
    '+982112345678',
    '0912123456',
    '091212345678',
    '912123456',
    '0912abc4567',
    '0912123456a',
    '',
    '+19121234567',
    '+9121234567',
    '08121234567',
    '0098 2112345678',
  ];
  for (const input of inputs) assert.equal(normalizeMobile(input), null, input);
});

function withCheckDigit(nineDigits: string): string {
  const sum = [...nineDigits].reduce((acc, d, i) => acc + Number(d) * (10 - i), 0);
  const r = sum % 11;
  return nineDigits + String(r < 2 ? r : 11 - r);
}

test('national codes normalize to 10 ASCII digits, padding 8-9 digit inputs', () => {
  assert.equal(normalizeNationalCode('۰۴۹۹۳۷۰۸۹۹'), '0499370899');
  assert.equal(normalizeNationalCode('049-937089-9'), '0499370899');
  assert.equal(normalizeNationalCode('499370899'), '0499370899');
  assert.equal(normalizeNationalCode('12345678'), '0012345678');
  assert.equal(normalizeNationalCode('1234567'), null);
  assert.equal(normalizeNationalCode('12345678901'), null);
  assert.equal(normalizeNationalCode('04993a0899'), null);
});

test('valid national codes pass the checksum', () => {
  const computed = withCheckDigit('123456789');
  assert.equal(isValidNationalCode(computed), true);
  assert.equal(isValidNationalCode('0499370899'), true);
  assert.equal(isValidNationalCode('۰۴۹۹۳۷۰۸۹۹'), true);
  assert.equal(isValidNationalCode('499370899'), true);
  const twoLeadingZeros = withCheckDigit('001234567');
  assert.equal(isValidNationalCode(twoLeadingZeros.slice(2)), true);
});

test('national codes with a wrong checksum, one repeated digit or bad shape are invalid', () => {
  const computed = withCheckDigit('123456789');
  const wrong = computed.slice(0, 9) + String((Number(computed[9]) + 1) % 10);
  assert.equal(isValidNationalCode(wrong), false);
  assert.equal(isValidNationalCode('0499370898'), false);
  assert.equal(isValidNationalCode('1111111111'), false);
  assert.equal(isValidNationalCode('0000000000'), false);
  assert.equal(isValidNationalCode('123'), false);
  assert.equal(isValidNationalCode(''), false);
});
