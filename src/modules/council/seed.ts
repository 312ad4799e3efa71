import type { DB, Tx } from '../../platform/db/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { newId, systemActor } from '../../platform/core/index.js';
import { appendAudit } from '../../platform/audit/index.js';
import { currentPeriod, formatPeriod } from '../transparency/periods.js';
import { INDICATORS } from './indicators.js';
import { jalaliDayStart } from './dates.js';
import * as q from './queries.js';

// The council's first meeting, 12 Bahman 1393: the joint session of Sari municipality's ICT
// organization with the province's deputy for ICT and the governorate's directors general of
// human resources and of IT, at the ICT organization's building. Its resolutions follow what
// the meeting stressed; the follow-ups (with deadlines) are plausible demo data.

interface SeedResolution {
  org: string;
  fa: string;
  en: string;
  outFa: string;
  outEn: string;
  /** Last day, Jalali; null = none. */
  deadline: string | null;
  state: 'open' | 'done' | 'cancelled';
  internal?: boolean;
  updates?: { on: string; progress: number; note: string }[];
}

const FIRST_MEETING = {
  held_on: '1393/11/12',
  title_fa: 'نشست مشترک سازمان فاوای شهرداری ساری با معاون فناوری اطلاعات و ارتباطات استان و مدیران کل استانداری مازندران',
  title_en: 'Joint session of Sari Municipality\'s ICT Organization with the province\'s deputy for ICT and the directors general of the Governorate of Mazandaran',
  summary_fa: 'در ساختمان سازمان فاوای شهرداری ساری، با حضور مسئول سازمان فاوا، معاون فناوری اطلاعات و ارتباطات استان و مدیران کل نیروی انسانی و فناوری اطلاعات استانداری، بر ایجاد شورای عالی توسعه خدمات الکترونیک استان، همسویی دستگاه‌های اجرایی با برنامه‌های دولت الکترونیک، طرح استان مجازی مازندران و ارائه الکترونیکی خدمات برای کاهش زمان و هزینه و افزایش شفافیت تأکید شد.',
  summary_en: 'At the building of Sari Municipality\'s ICT Organization, its head, the province\'s deputy for ICT and the governorate\'s directors general of human resources and of IT stressed founding the provincial high council for e-services, aligning the executive bodies with the e-government programmes, the Virtual Mazandaran plan, and delivering services electronically to cut time and cost and raise transparency.',
  orgs_present: ['mazandaran', 'sari-ict'],
};

const FIRST_RESOLUTIONS: SeedResolution[] = [
  {
    org: 'sari-ict', deadline: null, state: 'done',
    fa: 'سازمان فناوری اطلاعات و ارتباطات شهرداری ساری، با توجه به پروژه‌های موفقش در شهروند الکترونیک و دولت الکترونیک، سازمان مرجع شهرداری‌های استان مازندران است.',
    en: 'The ICT Organization of Sari Municipality, for its successful e-citizen and e-government projects, is the reference organization of the municipalities of Mazandaran.',
    outFa: 'تعاریف خدمات مرجع که شهرداری‌های استان می‌پذیرند', outEn: 'Reference service definitions the province\'s municipalities adopt',
  },
  {
    org: 'mazandaran', deadline: '1394/03/31', state: 'done',
    fa: 'شورای عالی توسعه خدمات الکترونیک استان مازندران با همکاری سازمان فاوای شهرداری ساری تشکیل شود.',
    en: 'The high council for e-services of Mazandaran is founded, in cooperation with Sari Municipality\'s ICT Organization.',
    outFa: 'آیین‌نامه و دبیرخانه شورا', outEn: 'The council\'s charter and secretariat',
    updates: [{ on: '1394/03/20', progress: 100, note: 'آیین‌نامه شورا ابلاغ و دبیرخانه در استانداری مستقر شد.' }],
  },
  {
    org: 'sari-ict', deadline: '1394/06/31', state: 'open',
    fa: 'برنامه ارائه الکترونیکی خدمات شهرداری‌ها به مردم، برای کاهش زمان و هزینه ارائه خدمت و افزایش شفافیت، تهیه شود.',
    en: 'A plan is drawn up for municipalities to deliver their services electronically, to cut the time and cost of service delivery and raise transparency.',
    outFa: 'فهرست اولویت‌دار خدمات شهری برای ارائه برخط، با سطح بلوغ هدف هر خدمت', outEn: 'A prioritised list of municipal services to bring online, with each one\'s target maturity',
    updates: [{ on: '1394/05/10', progress: 60, note: 'فهرست اولیه ۲۴ خدمت تهیه شد؛ تعیین سطح بلوغ هدف در جریان است.' }],
  },
  {
    org: 'sari', deadline: '1394/09/30', state: 'open',
    fa: 'شهرداری ساری، به عنوان نمونه، صدور پروانه ساختمانی را به صورت برخط و با پرداخت الکترونیکی عوارض ارائه کند.',
    en: 'Sari Municipality, as the pilot, offers building permits online with electronic payment of the levies.',
    outFa: 'خدمت برخط صدور پروانه ساختمانی در پیشخوان', outEn: 'The online building-permit service on the counter',
    updates: [{ on: '1394/08/15', progress: 40, note: 'فرم‌ها برخط شد؛ اتصال به درگاه پرداخت مانده است.' }],
  },
  {
    org: 'mazandaran', deadline: '1394/12/29', state: 'open',
    fa: 'طرح‌ها و اقدامات دستگاه‌های اجرایی استان با طرح استان مجازی مازندران و برنامه‌های توسعه دولت الکترونیک هم‌راستا و خدمات الکترونیکی دولتی استان یکپارچه شود.',
    en: 'The plans of the province\'s executive bodies are aligned with the Virtual Mazandaran plan and the e-government programmes, and the province\'s government e-services are integrated.',
    outFa: 'نقشه یکپارچه‌سازی خدمات الکترونیکی دستگاه‌های استان', outEn: 'A roadmap integrating the e-services of the province\'s bodies',
  },
  {
    org: 'mazandaran', deadline: '1394/12/29', state: 'open',
    fa: 'شاخص‌های فناوری اطلاعات و ارتباطات استان و شهرداری‌ها سنجیده و برای ارتقای آن‌ها هدف‌گذاری شود؛ زیرساخت‌های ارتباطی توسعه یابد.',
    en: 'The ICT indicators of the province and its municipalities are measured and given targets for improvement; the communication infrastructure is developed.',
    outFa: 'گزارش سالانه شاخص‌ها و رتبه‌بندی شهرداری‌ها', outEn: 'A yearly report of the indicators and ranking of municipalities',
  },
  {
    org: 'sari-ict', deadline: '1394/06/31', state: 'open', internal: true,
    fa: 'تفاهم‌نامه همکاری دوجانبه سازمان فاوای شهرداری ساری و استانداری برای توسعه خدمات الکترونیکی و انتقال دانش تنظیم شود.',
    en: 'A bilateral cooperation agreement between Sari Municipality\'s ICT Organization and the governorate on e-services and knowledge transfer is drafted.',
    outFa: 'متن تفاهم‌نامه برای امضا', outEn: 'The agreement, ready to sign',
  },
];

async function seedFirstMeeting(tx: Tx, now: number): Promise<boolean> {
  if (await q.meetingByNumber(tx, 1)) return false;
  const orgs = await q.orgsForCouncil(tx);
  const idOf = (code: string) => orgs.find((o) => o.code === code)?.id;
  if (FIRST_RESOLUTIONS.some((r) => !idOf(r.org))) return false;
  const meetingId = newId();
  const heldAt = jalaliDayStart(FIRST_MEETING.held_on, 'held_on');
  await tx.insertInto('council_meetings').values({
    id: meetingId, number: 1, held_at: heldAt, title_fa: FIRST_MEETING.title_fa, title_en: FIRST_MEETING.title_en,
    orgs_present: JSON.stringify(FIRST_MEETING.orgs_present), summary_fa: FIRST_MEETING.summary_fa, summary_en: FIRST_MEETING.summary_en, created_by: null, created_at: now,
  }).execute();
  let n = 0;
  for (const r of FIRST_RESOLUTIONS) {
    n += 1;
    const id = newId();
    const last = r.updates?.at(-1);
    await tx.insertInto('council_resolutions').values({
      id, meeting_id: meetingId, number: n, text_fa: r.fa, text_en: r.en, responsible_org_id: idOf(r.org)!,
      deadline: r.deadline ? jalaliDayStart(r.deadline, 'deadline', true) : null, expected_output_fa: r.outFa, expected_output_en: r.outEn,
      internal: r.internal ? 1 : 0, state: r.state, progress: r.state === 'done' ? 100 : last?.progress ?? 0, overdue_notified_for: null, created_at: heldAt, updated_at: now,
    }).execute();
    for (const u of r.updates ?? []) {
      await tx.insertInto('council_resolution_updates').values({
        id: newId(), resolution_id: id, org_id: idOf(r.org)!, progress: u.progress, note: u.note, actor_id: null, created_at: jalaliDayStart(u.on, 'on') + 10 * 3_600_000,
      }).execute();
    }
  }
  await appendAudit(tx, systemActor, { action: 'council.seeded', entity: 'council_meeting', entityId: meetingId, data: { number: 1, resolutions: n } }, now);
  return true;
}

/** Demo values of the entered indicators for the current year (deterministic per municipality), once. */
async function seedDemoValues(tx: Tx, now: number): Promise<void> {
  const period = formatPeriod(currentPeriod('year', now));
  if ((await q.enteredValues(tx, period)).length > 0) return;
  const orgs = (await q.orgsForCouncil(tx)).filter((o) => o.kind === 'municipality');
  for (const [i, o] of orgs.entries()) {
    const h = [...o.code].reduce((s, c) => (s * 31 + c.charCodeAt(0)) % 997, 7 + i);
    const values: Record<string, number> = { broadband_coverage: 55 + (h % 40), staff_trained: 20 + ((h * 7) % 65), ict_budget: (5 + (h % 30)) * 1_000_000_000 };
    for (const [indicator, value] of Object.entries(values)) {
      await q.upsertValue(tx, { id: newId(), indicator, org_id: o.id, period, value, source: 'داده نمایشی / demo data', entered_by: null, created_at: now });
    }
  }
}

/** Seeds the council's first meeting (12 Bahman 1393) with its resolutions, and demo indicator values; repeating it changes nothing. */
export async function seedCouncil(db: DB, now = Date.now()): Promise<{ meeting: boolean }> {
  return inTransaction(db, async (tx) => {
    await q.upsertIndicators(tx, INDICATORS);
    const meeting = await seedFirstMeeting(tx, now);
    await seedDemoValues(tx, now);
    return { meeting };
  });
}
