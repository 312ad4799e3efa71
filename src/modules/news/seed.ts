// Demo news of the demo province's public-relations offices, written for Pishkhan. Article 4565
// reports, in our own words, the facts of the news page in content/news-4565.txt: on 12 Bahman
// 1393 Sari municipality's ICT organization was named the reference organization of the
// province's municipalities. Every demo article is published (publicly visible). The platform's
// news counter is left at the highest code, so the next article an editor writes gets the next one.
import { sql } from 'kysely';
import { toGregorian } from 'jalaali-js';
import type { DB } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, systemActor } from '../../platform/core/index.js';
import { appendAudit } from '../../platform/audit/index.js';
import { tehranInstant, tehranWallClock } from '../../platform/i18n/tehran.js';
import { searchKey } from '../../platform/i18n/persian.js';
import { plainText, renderBody } from './sanitize.js';

const DAY = 86_400_000;

/** The instant of a Jalali date and Tehran wall-clock time. */
export function jalaliTehran(y: number, m: number, d: number, hh: number, mm: number): number {
  const g = toGregorian(y, m, d);
  return tehranInstant({ year: g.gy, month: g.gm, day: g.gd }, hh * 60 + mm).getTime();
}

interface DemoArticle {
  code: number;
  org: string;
  /** A fixed instant, or days before the seeding time. */
  at: number | { daysAgo: number; hour: number };
  title: string;
  lead: string;
  body: string;
  tags: string[];
}

export const DEMO_ARTICLES: DemoArticle[] = [
  {
    code: 4562, org: 'babol', at: jalaliTehran(1393, 10, 20, 10, 30),
    title: 'برگزاری دوره آموزشی کارکنان شهرداری بابل درباره خدمات الکترونیک',
    lead: 'کارکنان واحدهای درآمد و شهرسازی شهرداری بابل در دوره‌ای سه‌روزه با ثبت و پیگیری درخواست‌های الکترونیکی آشنا شدند.',
    body: 'در این دوره که در سالن اجتماعات شهرداری برگزار شد، کارشناسان با **کارتابل الکترونیک**، مهلت‌های رسیدگی و پاسخ‌گویی برخط به شهروندان آشنا شدند.\n\nبه گفته مسئول آموزش شهرداری، دوره‌های بعدی برای واحدهای خدمات شهری برگزار می‌شود.',
    tags: ['آموزش', 'شهرداری بابل', 'دولت الکترونیک'],
  },
  {
    code: 4564, org: 'sari', at: jalaliTehran(1393, 11, 5, 9, 0),
    title: 'راه‌اندازی سامانه پاسخ‌گویی ۱۳۷ شهرداری ساری در فضای مجازی',
    lead: 'شهروندان ساری می‌توانند از این پس مشکلات شهری را افزون بر تماس تلفنی، از راه وبگاه شهرداری گزارش کنند.',
    body: 'گزارش‌ها با **کد رهگیری** ثبت می‌شوند و شهروند می‌تواند روند رسیدگی را دنبال کند.\n\n- ثبت گزارش با نشانی و عکس\n- پیگیری با کد رهگیری\n- اعلام نتیجه با پیامک',
    tags: ['۱۳۷', 'شهرداری ساری', 'مشارکت شهروندی'],
  },
  {
    code: 4565, org: 'sari-ict', at: jalaliTehran(1393, 11, 12, 23, 15),
    title: 'سازمان فاوای شهرداری ساری، مرجع شهرداری‌های مازندران شد',
    lead: 'معاونت فناوری اطلاعات استان و مدیران کل استانداری مازندران، سازمان فاوای شهرداری ساری را به پشتوانه پروژه‌های موفقش در زمینه شهروند الکترونیک و دولت الکترونیک، سازمان مرجع شهرداری‌های استان معرفی کردند.',
    body: [
      'در نشستی که در ساختمان سازمان فناوری اطلاعات و ارتباطات (فاوا) شهرداری ساری برگزار شد، معاون فناوری اطلاعات و ارتباطات استان و مدیران کل منابع انسانی و فناوری اطلاعات استانداری مازندران با مسئول این سازمان درباره آینده خدمات الکترونیک استان گفت‌وگو کردند.',
      'به گزارش خزرخبر به نقل از روابط عمومی سازمان فاوای شهرداری ساری، حاضران بر دو موضوع پافشاری کردند: تشکیل **شورای عالی توسعه خدمات الکترونیک استان مازندران** و همکاری نزدیک استانداری با سازمان فاوای شهرداری ساری.',
      '## محورهای مورد تأکید',
      [
        '- گسترش فناوری اطلاعات و ارتباطات و کاربردهای آن، هم‌سو با سیاست‌های دولت یازدهم و برای توانمندسازی استان',
        '- توزیع عادلانه امکانات ملی با تکیه بر توان علمی و فناورانه مازندران و بالا بردن توان نوآوری استان',
        '- هماهنگی دستگاه‌های اجرایی استان با برنامه‌های توسعه دولت الکترونیک',
        '- هم‌راستا شدن طرح‌های «استان مجازی مازندران» به‌عنوان طرح نمونه',
        '- بهبود شاخص‌های فناوری اطلاعات و ارتباطات استان',
        '- همکاری دوجانبه برای توسعه خدمات الکترونیکی، طرح استان مجازی و زیرساخت‌های ارتباطی',
      ].join('\n'),
      '## خواسته‌های اعضای نشست',
      'اعضا همچنین خواستار برنامه‌ریزی برای ارائه الکترونیکی خدمات به مردم شدند تا زمان و هزینه دریافت خدمت کم و شفافیت آن بیشتر شود. ایجاد شورای عالی دولت الکترونیک، گسترش فعالیت‌های فناوری اطلاعات در مازندران، ایجاد و تقویت زیرساخت‌های فناوری و نوآوری، یکپارچه‌سازی همه خدمات الکترونیکی دولتی استان، حمایت از طرح‌های تولیدی، خدماتی، سخت‌افزاری و نرم‌افزاری این حوزه و انتقال دانش از دیگر درخواست‌ها بود.',
      'در پایان نشست، سازمان فاوای شهرداری ساری به سبب پروژه‌های موفقش در زمینه شهروند الکترونیک و دولت الکترونیک، به‌عنوان **سازمان مرجع شهرداری‌های استان** معرفی شد.',
    ].join('\n\n'),
    tags: ['دولت الکترونیک', 'سازمان فاوا', 'شهرداری ساری', 'شورای عالی خدمات الکترونیک', 'مازندران'],
  },
  {
    code: 4566, org: 'sari', at: { daysAgo: 12, hour: 10 },
    title: 'درخواست پروانه ساختمانی در ساری برخط شد',
    lead: 'متقاضیان پروانه ساختمانی در ساری می‌توانند درخواست، مدارک و پرداخت عوارض را بدون مراجعه حضوری در پیشخوان انجام دهند.',
    body: 'به گفته معاون شهرسازی شهرداری ساری، مهلت رسیدگی به هر مرحله در سامانه ثبت می‌شود و متقاضی از هر تغییر با پیامک باخبر می‌شود.\n\n## گام‌ها\n\n1. ثبت درخواست و بارگذاری سند\n2. بازدید کارشناس\n3. پرداخت عوارض و دریافت پروانه',
    tags: ['پیشخوان', 'پروانه ساختمانی', 'شهرداری ساری'],
  },
  {
    code: 4567, org: 'babol', at: { daysAgo: 7, hour: 12 },
    title: 'گزارش مشکلات شهری بابل با عکس و نقشه',
    lead: 'شهروندان بابل می‌توانند چاله، چراغ خاموش یا زباله رهاشده را با عکس و نشان دادن محل روی نقشه گزارش کنند.',
    body: 'هر گزارش در مهلتی مشخص به واحد مسئول می‌رسد و گزارش‌های عقب‌افتاده به مدیر ارجاع می‌شوند. شمار گزارش‌ها و میانگین زمان رسیدگی در صفحه **شفافیت** منتشر می‌شود.',
    tags: ['۱۳۷', 'شهرداری بابل', 'شفافیت'],
  },
  {
    code: 4568, org: 'sari-ict', at: { daysAgo: 4, hour: 9 },
    title: 'بررسی شاخص‌های خدمات الکترونیک شهرداری‌ها در شورای عالی استان',
    lead: 'در نشست شورای عالی توسعه خدمات الکترونیک استان، شاخص‌های شهرداری‌ها و پیشرفت مصوبات پیشین مرور شد.',
    body: 'دبیرخانه شورا گزارش داد که شمار خدمات برخط شهرداری‌های استان رو به افزایش است. اعضا خواستار **انتشار منظم شاخص‌ها** و پیگیری مصوبات عقب‌افتاده شدند.',
    tags: ['شورای عالی خدمات الکترونیک', 'شاخص‌ها', 'مازندران'],
  },
  {
    code: 4569, org: 'amol', at: { daysAgo: 1, hour: 11 },
    title: 'پرداخت برخط عوارض نوسازی در آمل',
    lead: 'شهروندان آمل عوارض نوسازی و کسب را با شناسه قبض در پیشخوان می‌پردازند و رسید را همان‌جا دریافت می‌کنند.',
    body: 'با پرداخت برخط، مفاصاحساب نیز بدون مراجعه حضوری صادر می‌شود و اصالت آن با کد روی برگه قابل بررسی است.',
    tags: ['پرداخت الکترونیک', 'عوارض', 'شهرداری آمل'],
  },
];

/** Seeds the demo articles of the organizations that exist (once per code); returns how many were added. */
export async function seedNews(db: DB, now = Date.now()): Promise<number> {
  const orgs = new Map((await db.selectFrom('orgs').select(['id', 'code']).execute()).map((o) => [o.code, o.id]));
  const taken = new Set((await db.selectFrom('news_articles').select('code').where('code', 'in', DEMO_ARTICLES.map((a) => a.code)).execute()).map((r) => Number(r.code)));
  const todo = DEMO_ARTICLES.filter((a) => orgs.has(a.org) && !taken.has(a.code));
  if (todo.length === 0) return 0;
  await inTransaction(db, async (tx) => {
    for (const a of todo) {
      const at = typeof a.at === 'number' ? a.at : tehranInstant(tehranWallClock(now - a.at.daysAgo * DAY), a.at.hour * 60).getTime();
      const id = newId();
      const bodyHtml = renderBody('markdown', a.body);
      await tx.insertInto('news_articles').values({
        id, org_id: orgs.get(a.org)!, code: a.code, lang: 'fa', title: a.title, lead: a.lead, body_format: 'markdown', body_source: a.body, body_html: bodyHtml,
        tags: JSON.stringify(a.tags), state: 'published', publish_at: null, published_at: at, corrected_at: null,
        search_text: searchKey(`${a.title} ${a.lead} ${plainText(bodyHtml)} ${a.tags.join(' ')}`),
        created_by: null, updated_by: null, created_at: at, updated_at: at,
      }).execute();
      await tx.insertInto('news_tags').values(a.tags.map((tag) => ({ article_id: id, tag, tag_key: searchKey(tag) }))).execute();
    }
    const top = Math.max(...todo.map((a) => a.code));
    await tx.insertInto('counters').values({ org_id: '', name: 'news', value: top })
      .onConflict((oc) => oc.columns(['org_id', 'name']).doUpdateSet({ value: sql<number>`case when counters.value > ${top} then counters.value else ${top} end` }))
      .execute();
    await appendAudit(tx, systemActor, { action: 'news.demo_seeded', entity: 'news_article', data: { codes: todo.map((a) => a.code) } }, now);
  });
  return todo.length;
}
