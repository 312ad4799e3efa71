import { numberToWords } from '@persian-tools/persian-tools';
import type { Locale } from '../../platform/i18n/format.js';

// An amount written out in words, as bills and receipts print it beside the figures («به حروف»).

/** A whole number >= 0 in Persian words, hundreds written joined as Persian does (هفتصد, not هفت صد). */
export function persianWords(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a whole number >= 0: ${n}`);
  const words = numberToWords(n);
  if (typeof words !== 'string') throw words;
  return words.replace(/(چهار|شش|هفت|هشت|نه) صد/g, '$1صد');
}

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES: [number, string][] = [[1e15, 'quadrillion'], [1e12, 'trillion'], [1e9, 'billion'], [1e6, 'million'], [1e3, 'thousand']];

function belowThousand(n: number): string {
  const parts: string[] = [];
  if (n >= 100) parts.push(`${ONES[Math.floor(n / 100)]} hundred`);
  const rest = n % 100;
  if (rest) {
    const text = rest < 20 ? ONES[rest]! : `${TENS[Math.floor(rest / 10)]}${rest % 10 ? `-${ONES[rest % 10]}` : ''}`;
    parts.push(parts.length ? `and ${text}` : text);
  }
  return parts.join(' ');
}

/** A whole number >= 0 in English words (British usage: "one hundred and five"). */
export function englishWords(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a whole number >= 0: ${n}`);
  if (n === 0) return ONES[0]!;
  const parts: string[] = [];
  let rest = n;
  for (const [size, name] of SCALES) {
    if (rest >= size) {
      parts.push(`${belowThousand(Math.floor(rest / size))} ${name}`);
      rest %= size;
    }
  }
  if (rest) parts.push(rest < 100 && parts.length ? `and ${belowThousand(rest)}` : belowThousand(rest));
  return parts.join(' ');
}

/** An amount of Rials in words in the page's language: «یک میلیون و پانصد هزار ریال» / 'one million five hundred thousand rials'. */
export function rialsInWords(amount: number, locale: Locale): string {
  return locale === 'en' ? `${englishWords(amount)} rials` : `${persianWords(amount)} ریال`;
}
