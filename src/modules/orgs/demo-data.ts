// The demo province: Mazandaran's governorate, Sari municipality's ICT organization (the
// reference organization of the province's municipalities) and municipalities of the province.
// Coordinates are approximate city centres; populations are rounded 1395 (2016) census figures.
export interface DemoOrg {
  code: string;
  kind: 'province' | 'municipality' | 'ict' | 'agency';
  parent?: string;
  fa: string;
  en: string;
  lat: number;
  lng: number;
  population?: number;
  isReference?: boolean;
}

export const DEMO_PROVINCE: DemoOrg = { code: 'mazandaran', kind: 'province', fa: 'استانداری مازندران', en: 'Governorate of Mazandaran', lat: 36.5659, lng: 53.0586 };

const city = (code: string, fa: string, en: string, lat: number, lng: number, population?: number): DemoOrg =>
  ({ code, kind: 'municipality', parent: 'mazandaran', fa: `شهرداری ${fa}`, en: `${en} Municipality`, lat, lng, population });

export const DEMO_MUNICIPALITIES: DemoOrg[] = [
  city('sari', 'ساری', 'Sari', 36.5633, 53.0601, 309800),
  city('babol', 'بابل', 'Babol', 36.5513, 52.679, 250200),
  city('amol', 'آمل', 'Amol', 36.4696, 52.3507, 238500),
  city('qaemshahr', 'قائم‌شهر', 'Qaem Shahr', 36.4631, 52.8601, 204900),
  city('behshahr', 'بهشهر', 'Behshahr', 36.6923, 53.5526, 94700),
  city('chalus', 'چالوس', 'Chalus', 36.655, 51.4204, 65200),
  city('nowshahr', 'نوشهر', 'Nowshahr', 36.6489, 51.4961, 49400),
  city('tonekabon', 'تنکابن', 'Tonekabon', 36.8163, 50.8738, 55400),
  city('ramsar', 'رامسر', 'Ramsar', 36.9031, 50.6583, 35000),
  city('babolsar', 'بابلسر', 'Babolsar', 36.7025, 52.6576, 59700),
  city('neka', 'نکا', 'Neka', 36.6508, 53.299, 54900),
  city('juybar', 'جویبار', 'Juybar', 36.6412, 52.9124, 32800),
  city('mahmudabad', 'محمودآباد', 'Mahmudabad', 36.632, 52.2629, 31800),
  city('fereydunkenar', 'فریدونکنار', 'Fereydunkenar', 36.6864, 52.5225, 38100),
  city('nur', 'نور', 'Nur', 36.5733, 52.0134, 29600),
  city('polsefid', 'پل‌سفید', 'Pol Sefid', 36.116, 53.057, 10700),
  city('galugah', 'گلوگاه', 'Galugah', 36.727, 53.8087, 19600),
  city('abbasabad', 'عباس‌آباد', 'Abbasabad', 36.7236, 51.11, 12000),
  city('kelardasht', 'کلاردشت', 'Kelardasht', 36.5, 51.15, 13500),
  city('surak', 'سورک', 'Surak', 36.6,  53.2, 8800),
  city('kiakola', 'کیاکلا', 'Kiakola', 36.575, 52.817, 12400),
  city('zirab', 'زیرآب', 'Zirab', 36.172, 52.976, 16300),
  city('rostamkola', 'رستمکلا', 'Rostamkola', 36.678, 53.43, 8000),
  city('salmanshahr', 'سلمان‌شهر', 'Salman Shahr', 36.705, 51.2, 11400),
  city('amirkola', 'امیرکلا', 'Amirkola', 36.595, 52.66, 26600),
  city('bahnamir', 'بهنمیر', 'Bahnamir', 36.667, 52.762, 12600),
];

export const DEMO_REFERENCE_ORG: DemoOrg = {
  code: 'sari-ict', kind: 'ict', parent: 'sari', fa: 'سازمان فناوری اطلاعات و ارتباطات شهرداری ساری', en: 'ICT Organization of Sari Municipality',
  lat: 36.5633, lng: 53.0601, isReference: true,
};

/** Demo staff: one account per role, each with a random password printed once. */
export const DEMO_STAFF: { username: string; fa: string; en: string; org: string; roles: string[] }[] = [
  { username: 'province.admin', fa: 'مدیر سامانه استان', en: 'Province administrator', org: 'mazandaran', roles: ['province_admin'] },
  { username: 'council.member', fa: 'دبیرخانه شورای عالی', en: 'Council secretariat', org: 'mazandaran', roles: ['council_member'] },
  { username: 'sari-ict.author', fa: 'کارشناس خدمات مرجع فاوا', en: 'Reference service author', org: 'sari-ict', roles: ['reference_author', 'pr_editor'] },
  { username: 'sari.admin', fa: 'مدیر سامانه شهرداری ساری', en: 'Sari org admin', org: 'sari', roles: ['org_admin'] },
  { username: 'sari.clerk', fa: 'کارشناس پیشخوان ساری', en: 'Sari case officer', org: 'sari', roles: ['clerk'] },
  { username: 'sari.inspector', fa: 'بازدیدکننده ساری', en: 'Sari inspector', org: 'sari', roles: ['inspector'] },
  { username: 'sari.manager', fa: 'مدیر شهرسازی ساری', en: 'Sari manager', org: 'sari', roles: ['manager'] },
  { username: 'sari.pr', fa: 'روابط عمومی شهرداری ساری', en: 'Sari PR editor', org: 'sari', roles: ['pr_editor'] },
  { username: 'babol.admin', fa: 'مدیر سامانه شهرداری بابل', en: 'Babol org admin', org: 'babol', roles: ['org_admin'] },
  { username: 'babol.clerk', fa: 'کارشناس پیشخوان بابل', en: 'Babol case officer', org: 'babol', roles: ['clerk'] },
];
