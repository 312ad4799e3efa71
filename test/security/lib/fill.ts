// Fills a route pattern's parameters with organization A's real ids, deciding each by the
// literal segment before it (so `:code` after /orgs/ is an org, after /news/ an article).
import type { World } from './world.js';

export function filler(w: World, target: 'A' | 'B' = 'A') {
  const i = w.ids;
  return (path: string): string => {
    const segs = path.split('/');
    return segs.map((seg, n) => {
      if (!seg.startsWith(':')) return seg.replace(/:format$/, 'json');
      const prev = segs[n - 1] ?? '';
      const prev2 = segs[n - 2] ?? '';
      const name = seg.slice(1).replace(/\..*$/, '');
      const suffix = seg.includes('.') ? seg.slice(seg.indexOf('.')) : '';
      const v = ((): string => {
        const org = target === 'A' ? 'sari' : 'babol';
        if (prev === 'orgs' || prev === 'transparency' || prev === 'apply') return org;
        if (prev2 === 'transparency' || prev2 === 'apply' || prev === 'adoptions' || prev === 'templates') return 'building-permit';
        if (prev === 'services' && prev2 !== 'agencies' && !prev2.startsWith(':')) return 'building-permit';
        if (prev === 'services' && prev2.startsWith(':') && segs.includes('orgs')) return 'building-permit';
        if (prev === 'services' || prev === 'connections' || name === 'service') return segs.includes('agencies') ? i.externalService! : 'building-permit';
        if (prev === 'external' && name === 'agency') return i.agency!;
        if (prev2 === 'external' && name === 'code') return i.externalService!;
        if (name === 'docId') return i.doc!;
        if (name === 'tracking' || prev === 'track' || prev === 'verify' || prev === 'certificate') return i.tracking!;
        if (prev === 'applications') return i.app!;
        if (prev === 'photos') return i.reportPhoto!;
        if (prev === 'reports' && name === 'id') return i.report!;
        if (prev === 'reports') return i.reportCode!;
        if (prev === 'bills') return i.bill!;
        if (prev === 'payments') return i.payment!;
        if (prev === 'news' || prev === 'n') return i.news!;
        if (prev === 'images') return i.newsImage!;
        if (prev === 'meetings') return i.meeting!;
        if (prev === 'resolutions') return i.resolution!;
        if (prev === 'agencies') return i.agency!;
        if (prev === 'api-clients') return target === 'A' ? i.clientA! : i.clientB!;
        if (prev === 'webhooks') return i.webhook!;
        if (prev === 'deliveries') return i.delivery!;
        if (prev === 'versions') return '1';
        if (prev === 'indicators') return 'maturity';
        if (prev === 'notices') return '00000000-0000-4000-8000-000000000000';
        if (prev === 'lang') return 'en';
        if (prev === 'sandbox-bank') return 'S0000000000000000000000000000000000';
        if (prev === 'categories' || prev === 'report-categories') return 'pothole';
        if (prev === 'tags') return 'ساری';
        if (prev === 'archive') return '1405';
        if (name === 'month') return '9';
        if (name === 'dataset') return 'applications';
        if (name === 'file') return 'x';
        return i.app!;
      })();
      return encodeURIComponent(v) + suffix;
    }).join('/');
  };
}
