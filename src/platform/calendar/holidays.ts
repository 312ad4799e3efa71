/**
 * Iran's official public holidays (تعطیلات رسمی) by Jalali year, as data an operator can extend.
 *
 * The solar holidays fall on the same Jalali day every year. The religious holidays follow the
 * lunar Hijri calendar, move about 11 days earlier each solar year, and are only fixed in the
 * official calendar published before each year (and occasionally moved by a moon sighting):
 * the dates below are best knowledge, APPROXIMATE, and must be checked against the official
 * calendar of each year. 1404 follows the published official calendar; 1405 is computed from
 * the Umm al-Qura calendar plus the one day by which Iran's months usually start later.
 *
 * To correct or add a year, pass a table to `new BusinessCalendar({ holidays: { ...OFFICIAL_HOLIDAYS,
 * 1406: [...solarHolidays(), ...] } })`, or add single days with `extraHolidays: ['1406/01/20']`.
 */

/** A holiday's name in each UI language. */
export interface HolidayName {
  fa: string;
  en: string;
}

/** A holiday on a Jalali month (1 = Farvardin) and day. */
export interface JalaliHoliday extends HolidayName {
  month: number;
  day: number;
}

/** Holidays by Jalali year. */
export type HolidayTable = Readonly<Record<number, readonly JalaliHoliday[]>>;

/** The official holidays' names, keyed by occasion. */
export const HOLIDAY_NAMES = {
  nowruz: { fa: 'عید نوروز', en: 'Nowruz' },
  republicDay: { fa: 'روز جمهوری اسلامی', en: 'Islamic Republic Day' },
  natureDay: { fa: 'روز طبیعت', en: 'Nature Day (Sizdah Bedar)' },
  khomeiniDemise: { fa: 'رحلت حضرت امام خمینی', en: 'Demise of Imam Khomeini' },
  khordad15: { fa: 'قیام ۱۵ خرداد', en: '15 Khordad uprising' },
  revolutionVictory: { fa: 'پیروزی انقلاب اسلامی', en: 'Victory of the Islamic Revolution' },
  oilNationalization: { fa: 'روز ملی شدن صنعت نفت ایران', en: 'Oil Nationalization Day' },
  tasua: { fa: 'تاسوعای حسینی', en: 'Tasua' },
  ashura: { fa: 'عاشورای حسینی', en: 'Ashura' },
  arbaeen: { fa: 'اربعین حسینی', en: 'Arbaeen' },
  prophetDemise: {
    fa: 'رحلت رسول اکرم (ص) و شهادت امام حسن مجتبی (ع)',
    en: 'Demise of the Prophet Muhammad and martyrdom of Imam Hasan',
  },
  imamRezaMartyrdom: { fa: 'شهادت امام رضا (ع)', en: 'Martyrdom of Imam Reza' },
  imamHasanAskariMartyrdom: { fa: 'شهادت امام حسن عسکری (ع)', en: 'Martyrdom of Imam Hasan Askari' },
  prophetBirthday: {
    fa: 'میلاد رسول اکرم (ص) و امام جعفر صادق (ع)',
    en: 'Birthday of the Prophet Muhammad and Imam Sadegh',
  },
  fatemehMartyrdom: { fa: 'شهادت حضرت فاطمه زهرا (س)', en: 'Martyrdom of Fatemeh Zahra' },
  imamAliBirthday: { fa: 'ولادت امام علی (ع)', en: 'Birthday of Imam Ali' },
  mabath: { fa: 'مبعث رسول اکرم (ص)', en: "Mab'ath of the Prophet Muhammad" },
  imamMahdiBirthday: { fa: 'ولادت حضرت قائم (عج)', en: "Birthday of Imam Mahdi (15 Sha'ban)" },
  imamAliMartyrdom: { fa: 'شهادت امام علی (ع)', en: 'Martyrdom of Imam Ali' },
  eidAlFitr: { fa: 'عید سعید فطر', en: 'Eid al-Fitr' },
  eidAlFitrHoliday: { fa: 'تعطیل به مناسبت عید سعید فطر', en: 'Eid al-Fitr holiday' },
  imamSadeghMartyrdom: { fa: 'شهادت امام جعفر صادق (ع)', en: 'Martyrdom of Imam Sadegh' },
  eidAlAdha: { fa: 'عید سعید قربان', en: 'Eid al-Adha' },
  eidAlGhadir: { fa: 'عید سعید غدیر خم', en: 'Eid al-Ghadir' },
} as const satisfies Record<string, HolidayName>;

type Occasion = keyof typeof HOLIDAY_NAMES;
type Entry = readonly [month: number, day: number, occasion: Occasion];

function expand(entries: readonly Entry[]): JalaliHoliday[] {
  return entries.map(([month, day, occasion]) => ({ month, day, ...HOLIDAY_NAMES[occasion] }));
}

const SOLAR: readonly Entry[] = [
  [1, 1, 'nowruz'],
  [1, 2, 'nowruz'],
  [1, 3, 'nowruz'],
  [1, 4, 'nowruz'],
  [1, 12, 'republicDay'],
  [1, 13, 'natureDay'],
  [3, 14, 'khomeiniDemise'],
  [3, 15, 'khordad15'],
  [11, 22, 'revolutionVictory'],
  [12, 29, 'oilNationalization'],
];

/** The holidays on fixed Jalali days, the same every year. */
export function solarHolidays(): JalaliHoliday[] {
  return expand(SOLAR);
}

// APPROXIMATE (see the top of this file): lunar holidays of 1404 (2025-03-21 .. 2026-03-20).
const LUNAR_1404: readonly Entry[] = [
  [1, 11, 'eidAlFitr'],
  [1, 12, 'eidAlFitrHoliday'],
  [2, 4, 'imamSadeghMartyrdom'],
  [3, 16, 'eidAlAdha'],
  [3, 24, 'eidAlGhadir'],
  [4, 14, 'tasua'],
  [4, 15, 'ashura'],
  [5, 23, 'arbaeen'],
  [5, 31, 'prophetDemise'],
  [6, 2, 'imamRezaMartyrdom'],
  [6, 10, 'imamHasanAskariMartyrdom'],
  [6, 19, 'prophetBirthday'],
  [9, 3, 'fatemehMartyrdom'],
  [10, 13, 'imamAliBirthday'],
  [10, 27, 'mabath'],
  [11, 15, 'imamMahdiBirthday'],
  [12, 20, 'imamAliMartyrdom'],
];

// APPROXIMATE (see the top of this file): lunar holidays of 1405 (2026-03-21 .. 2027-03-20).
const LUNAR_1405: readonly Entry[] = [
  [1, 1, 'eidAlFitr'],
  [1, 2, 'eidAlFitrHoliday'],
  [1, 25, 'imamSadeghMartyrdom'],
  [3, 7, 'eidAlAdha'],
  [3, 15, 'eidAlGhadir'],
  [4, 4, 'tasua'],
  [4, 5, 'ashura'],
  [5, 13, 'arbaeen'],
  [5, 21, 'prophetDemise'],
  [5, 23, 'imamRezaMartyrdom'],
  [5, 31, 'imamHasanAskariMartyrdom'],
  [6, 9, 'prophetBirthday'],
  [8, 23, 'fatemehMartyrdom'],
  [10, 2, 'imamAliBirthday'],
  [10, 16, 'mabath'],
  [11, 4, 'imamMahdiBirthday'],
  [12, 10, 'imamAliMartyrdom'],
  [12, 19, 'eidAlFitr'],
  [12, 20, 'eidAlFitrHoliday'],
];

/** The official holidays of the years Pishkhan ships data for; years not listed get only {@link solarHolidays}. */
export const OFFICIAL_HOLIDAYS: HolidayTable = {
  1404: [...solarHolidays(), ...expand(LUNAR_1404)],
  1405: [...solarHolidays(), ...expand(LUNAR_1405)],
};
