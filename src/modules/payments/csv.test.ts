// CSV as RFC 4180 writes it and as spreadsheets save it: quotes, separators and line breaks in
// fields, BOM, CRLF, other delimiters and code pages; and the writer's quoting and formula guard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvDocument, csvField, decodeCsvBytes, detectDelimiter, looksBinary, parseCsv } from './csv.js';

const fields = (text: string) => parseCsv(text).records.map((r) => r.fields);

test('plain records, with LF, CRLF or CR line ends, and no trailing newline', () => {
  assert.deepEqual(fields('a,b,c\n1,2,3\n'), [['a', 'b', 'c'], ['1', '2', '3']]);
  assert.deepEqual(fields('a,b\r\n1,2\r\n'), [['a', 'b'], ['1', '2']]);
  assert.deepEqual(fields('a,b\r1,2'), [['a', 'b'], ['1', '2']]);
  assert.deepEqual(fields('a,b\n1,2'), [['a', 'b'], ['1', '2']]);
});

test('quoted fields hold commas, doubled quotes and line breaks; the record keeps the line it starts on', () => {
  const r = parseCsv('title,amount\r\n"Sari, north","1,250,000"\r\n"say ""hi""",5\r\n"two\r\nlines",7\r\nlast,8\r\n');
  assert.deepEqual(r.records.map((x) => x.fields), [['title', 'amount'], ['Sari, north', '1,250,000'], ['say "hi"', '5'], ['two\r\nlines', '7'], ['last', '8']]);
  assert.deepEqual(r.records.map((x) => x.line), [1, 2, 3, 4, 6]);
  assert.deepEqual(r.problems, []);
});

test('empty fields, a quoted empty field, and blank lines (skipped, but counted for line numbers)', () => {
  const r = parseCsv('a,b,c\n,,\n\n"",x,\n\n\nz,,\n');
  assert.deepEqual(r.records.map((x) => x.fields), [['a', 'b', 'c'], ['', '', ''], ['', 'x', ''], ['z', '', '']]);
  assert.deepEqual(r.records.map((x) => x.line), [1, 2, 4, 7]);
});

test('a byte-order mark is dropped from the first field', () => {
  const r = parseCsv('\uFEFFkind,period\nrenewal_levy,1405\n');
  assert.equal(r.records[0]!.fields[0], 'kind');
});

test('Persian text passes through unchanged', () => {
  assert.deepEqual(fields('عنوان,مبلغ\n"عوارض نوسازی، سال ۱۴۰۵",۱۲٬۵۰۰٬۰۰۰\n')[1], ['عوارض نوسازی، سال ۱۴۰۵', '۱۲٬۵۰۰٬۰۰۰']);
});

test('the delimiter is found on the header line: comma, semicolon, tab, Arabic semicolon', () => {
  assert.equal(detectDelimiter('a,b,c\n1;2'), ',');
  assert.equal(detectDelimiter('a;b;c\n1,2,3'), ';');
  assert.equal(detectDelimiter('a\tb\tc'), '\t');
  assert.equal(detectDelimiter('الف؛ب؛ج'), '\u061B');
  assert.equal(detectDelimiter('"a;b",c\n'), ',');
  assert.equal(detectDelimiter('single'), ',');
  assert.deepEqual(fields('a;b\n"1;5";2\n'), [['a', 'b'], ['1;5', '2']]);
});

test('an unclosed quote is reported at the line its record starts on', () => {
  const r = parseCsv('a,b\n1,2\n"open,3\n4,5\n');
  assert.deepEqual(r.problems, [{ line: 3, code: 'unterminated_quote' }]);
});

test('a quote inside an unquoted field, or text after a closing quote, is a stray quote (reported once per record)', () => {
  const r = parseCsv('a,b\nab"c,2\n"x"y,3\nok,"fine"\n');
  assert.deepEqual(r.problems, [{ line: 2, code: 'stray_quote' }, { line: 3, code: 'stray_quote' }]);
  assert.deepEqual(r.records[1]!.fields, ['ab"c', '2']);
  assert.deepEqual(r.records[3]!.fields, ['ok', 'fine']);
});

test('bytes: UTF-8 with or without BOM, UTF-16 LE with BOM, else Windows-1256 (Excel on Persian Windows)', () => {
  assert.deepEqual(decodeCsvBytes(Buffer.from('\uFEFFکد ملی,x', 'utf8')), { text: 'کد ملی,x', encoding: 'utf-8' });
  assert.deepEqual(decodeCsvBytes(Buffer.from('کد,x', 'utf8')), { text: 'کد,x', encoding: 'utf-8' });
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('کد\tx', 'utf16le')]);
  assert.deepEqual(decodeCsvBytes(utf16), { text: 'کد\tx', encoding: 'utf-16le' });
  // «سال» (year) in code page 1256: س=0xD3, ا=0xC7, ل=0xE1.
  assert.deepEqual(decodeCsvBytes(Buffer.from([0xd3, 0xc7, 0xe1, 0x2c, 0x31])), { text: 'سال,1', encoding: 'windows-1256' });
});

test('spreadsheets and other binary files are recognized as not CSV', () => {
  assert.equal(looksBinary(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2])), true);
  assert.equal(looksBinary(Buffer.from('a,b\0c')), true);
  assert.equal(looksBinary(Buffer.from('a,b\nc,d')), false);
  assert.equal(looksBinary(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a', 'utf16le')])), false);
});

test('writing: quotes only where needed, doubles quotes, numbers as digits, formulas defused', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField(12500000), '12500000');
  assert.equal(csvField(null), '');
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField('+98912'), "'+98912");
  assert.equal(csvField('-12'), "'-12");
  assert.equal(csvField('@cmd'), "'@cmd");
});

test('a document starts with the BOM, ends lines with CRLF, and parses back to what was written', () => {
  const doc = csvDocument(['عنوان', 'مبلغ'], [['عوارض، نوسازی', 12500000], ['"quoted"', 1]]);
  assert.ok(doc.startsWith('\uFEFF'));
  assert.ok(doc.endsWith('\r\n'));
  assert.deepEqual(fields(doc), [['عنوان', 'مبلغ'], ['عوارض، نوسازی', '12500000'], ['"quoted"', '1']]);
});
