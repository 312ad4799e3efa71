import type { DB } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, systemActor } from '../../platform/core/index.js';
import { appendAudit } from '../../platform/audit/index.js';
import { externalSearchText } from './agencies.js';

// Demo agencies of the province and their external e-services. Every address is a placeholder
// under https://example.org/demo/ (the service pages say so); real ones are entered by the
// province administrator on /staff/agencies.

interface DemoService { code: string; fa: string; en: string; dfa: string; den: string; docs: [string, string][]; maturity: number; category: string }
interface DemoAgency { code: string; fa: string; en: string; services: DemoService[] }

const DEMO = 'https://example.org/demo';

export const DEMO_AGENCIES: DemoAgency[] = [
  {
    code: 'abfa-mazandaran', fa: 'شرکت آب و فاضلاب استان مازندران', en: 'Mazandaran Water and Wastewater Company',
    services: [
      { code: 'water-connection', fa: 'درخواست انشعاب آب شرب', en: 'Drinking-water connection', dfa: 'ثبت درخواست انشعاب آب شرب برای ملک مسکونی، تجاری یا اداری، محاسبه هزینه انشعاب و پیگیری نصب کنتور.', den: 'Apply for a drinking-water connection for a home, shop or office, see the connection charge and follow the meter installation.', docs: [['سند مالکیت یا قرارداد اجاره', 'Title deed or lease'], ['کارت ملی مالک', 'Owner\'s national ID card'], ['پروانه ساختمانی یا گواهی پایان کار', 'Building permit or completion certificate']], maturity: 3, category: 'property' },
      { code: 'sewer-connection', fa: 'درخواست انشعاب فاضلاب', en: 'Sewer connection', dfa: 'درخواست اتصال ملک به شبکه فاضلاب شهری در محله‌هایی که شبکه در آن‌ها اجرا شده است؛ بازدید کارشناس حضوری است.', den: 'Ask for the property to be connected to the city sewer where the network is built; the inspector\'s visit is in person.', docs: [['سند مالکیت', 'Title deed'], ['آخرین قبض آب', 'Latest water bill']], maturity: 2, category: 'property' },
      { code: 'water-bill', fa: 'مشاهده و پرداخت قبض آب', en: 'View and pay the water bill', dfa: 'دیدن قبض‌های آب با شناسه قبض، پرداخت برخط و دریافت رسید.', den: 'See the water bills by bill ID, pay online and get a receipt.', docs: [['شناسه قبض', 'Bill ID']], maturity: 4, category: 'revenue' },
    ],
  },
  {
    code: 'sabt-mazandaran', fa: 'اداره کل ثبت اسناد و املاک استان مازندران', en: 'Mazandaran Registration of Deeds and Properties',
    services: [
      { code: 'deed-inquiry', fa: 'استعلام اصالت سند رسمی', en: 'Official deed authenticity check', dfa: 'بررسی اصالت سندی که در دفترخانه تنظیم شده است با شماره سند و رمز تصدیق.', den: 'Check that a deed drawn up at a notary office is genuine, with its number and verification code.', docs: [['شماره سند و رمز تصدیق', 'Deed number and verification code']], maturity: 3, category: 'property' },
      { code: 'single-sheet-deed', fa: 'درخواست سند تک‌برگ', en: 'Single-sheet title deed', dfa: 'درخواست تبدیل سند دفترچه‌ای به سند مالکیت تک‌برگ؛ تحویل سند در اداره ثبت محل انجام می‌شود.', den: 'Ask for a booklet deed to be replaced by a single-sheet title deed; the deed is collected at the local registry office.', docs: [['سند دفترچه‌ای', 'Booklet deed'], ['کارت ملی مالک', 'Owner\'s national ID card']], maturity: 2, category: 'property' },
    ],
  },
];

/** Adds the demo agencies and their external services once (a second call adds nothing); returns how many services it added. */
export async function seedDemoAgencies(db: DB, now = Date.now()): Promise<number> {
  if (await db.selectFrom('orgs').select('id').where('code', '=', DEMO_AGENCIES[0]!.code).executeTakeFirst()) return 0;
  let n = 0;
  await inTransaction(db, async (tx) => {
    const province = await tx.selectFrom('orgs').select('id').where('kind', '=', 'province').orderBy('created_at').limit(1).executeTakeFirst();
    for (const a of DEMO_AGENCIES) {
      const orgId = newId();
      await tx.insertInto('orgs').values({ id: orgId, code: a.code, kind: 'agency', parent_id: province?.id ?? null, name_fa: a.fa, name_en: a.en, website: `${DEMO}/${a.code}`, is_reference: 0, lat: null, lng: null, population: null, created_at: now }).execute();
      for (const s of a.services) {
        const row = { code: s.code, title_fa: s.fa, title_en: s.en, description_fa: s.dfa, description_en: s.den };
        await tx.insertInto('external_services').values({
          id: newId(), org_id: orgId, ...row, documents: JSON.stringify(s.docs.map(([fa, en]) => ({ fa, en }))), maturity: s.maturity,
          url: `${DEMO}/${a.code}/${s.code}`, category: s.category, active: 1, search_text: externalSearchText(row, { fa: a.fa, en: a.en }), created_at: now, updated_at: now,
        }).execute();
        n += 1;
      }
    }
    await appendAudit(tx, systemActor, { action: 'demo.agencies_seeded', entity: 'org', data: { agencies: DEMO_AGENCIES.map((a) => a.code), services: n } }, now);
  });
  return n;
}
