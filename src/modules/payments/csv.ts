/**
 * CSV as RFC 4180 writes it, and as Excel and LibreOffice really save it: a byte-order mark,
 * CRLF or LF line ends, quoted fields holding commas, quotes ("") and line breaks, a semicolon
 * or tab instead of the comma (Excel under a Persian or European list separator), and files
 * saved in the Windows Persian code page (1256) rather than UTF-8. Pure functions, no I/O.
 */

/** One record of a file and the (1-based) line of the file on which it starts. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export type CsvProblemCode = 'unterminated_quote' | 'stray_quote';

export interface CsvProblem {
  line: number;
  code: CsvProblemCode;
}

export interface CsvParseResult {
  records: CsvRecord[];
  delimiter: string;
  /** Syntax problems; the records are still returned as best read. */
  problems: CsvProblem[];
}

/** The delimiters recognized when none is given: comma, semicolon, tab, Arabic semicolon. */
export const CSV_DELIMITERS = [',', ';', '\t', '\u061B'] as const;

/** The delimiter of a file: the candidate that occurs most often (outside quotes) on its first line; a comma when none does. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of text.replace(/^\uFEFF/, '')) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && (CSV_DELIMITERS as readonly string[]).includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const d of CSV_DELIMITERS) {
    const n = counts.get(d) ?? 0;
    if (n > bestCount) [best, bestCount] = [d, n];
  }
  return best;
}

/**
 * Parses CSV text into records with the line each starts on (a quoted field may span lines).
 * Blank lines are skipped. A quote inside an unquoted field, or text after a closing quote, is
 * kept as read and reported as 'stray_quote'; a quote never closed is reported at its record's line.
 */
export function parseCsv(input: string, opts: { delimiter?: string } = {}): CsvParseResult {
  const text = input.replace(/^\uFEFF/, '');
  const delimiter = opts.delimiter ?? detectDelimiter(text);
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  let line = 1;
  let recordLine = 1;
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field began with a quote (and it closed)
  let fieldStart = true;
  const strayAt = new Set<number>();
  const stray = () => {
    if (!strayAt.has(recordLine)) problems.push({ line: recordLine, code: 'stray_quote' });
    strayAt.add(recordLine);
  };
  const endField = () => {
    fields.push(field);
    field = '';
    wasQuoted = false;
    fieldStart = true;
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === '' && !wasQuotedRecord)) records.push({ line: recordLine, fields });
    fields = [];
    wasQuotedRecord = false;
  };
  let wasQuotedRecord = false;

  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          wasQuoted = true;
        }
      } else {
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
        field += ch;
      }
      continue;
    }
    if (ch === delimiter) {
      endField();
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
      continue;
    }
    if (ch === '"' && fieldStart) {
      quoted = true;
      wasQuotedRecord = true;
      fieldStart = false;
      continue;
    }
    if (ch === '"' || wasQuoted) stray();
    field += ch;
    fieldStart = false;
  }
  if (quoted) problems.push({ line: recordLine, code: 'unterminated_quote' });
  if (field !== '' || fields.length > 0 || wasQuotedRecord) endRecord();
  return { records, delimiter, problems };
}

/** What a file's bytes were decoded from. */
export type CsvEncoding = 'utf-8' | 'utf-16le' | 'windows-1256';

/**
 * Decodes a CSV file's bytes: UTF-8 (with or without BOM), UTF-16 LE with its BOM (Excel's
 * "Unicode text"), else Windows-1256, the code page Excel uses for "CSV" on Persian Windows.
 */
export function decodeCsvBytes(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, ''), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1256').decode(bytes), encoding: 'windows-1256' };
  }
}

/** True when the bytes are plainly not text (a spreadsheet's zip, a PDF, an image): NUL bytes or a zip header. */
export function looksBinary(bytes: Uint8Array): boolean {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return true; // .xlsx, .ods
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return false;
  const n = Math.min(bytes.length, 8192);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

export type CsvValue = string | number | null | undefined;

/**
 * One field as written: numbers as digits; text quoted when it holds a delimiter, quote or
 * line break. Text that a spreadsheet would run as a formula (starting = + - @ or a control
 * character) gets a leading apostrophe, so an exported title can never execute in Excel.
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let s = value;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",;\r\n\t]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV line (CRLF-terminated) of the values. */
export function csvLine(values: CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The byte-order mark that makes Excel read a CSV file as UTF-8 (and so show Persian). */
export const UTF8_BOM = '\uFEFF';

/** A whole CSV document: the BOM, the header, the rows. */
export function csvDocument(header: string[], rows: CsvValue[][]): string {
  return UTF8_BOM + csvLine(header) + rows.map(csvLine).join('');
}
