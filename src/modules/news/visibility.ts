import type { Tx } from '../../platform/db/index.js';

/** The states an article can be publicly visible in (a scheduled one once its time has come). */
export const PUBLIC_STATES = ['published', 'scheduled'] as const;

/**
 * The publicly visible articles: `state in ('published','scheduled') and published_at <= now`.
 * A scheduled article is visible from its time on even before the scheduler flips its state.
 * The one predicate both the editor side and the public pages use.
 */
export function publicArticles(db: Tx, now: number) {
  return db.selectFrom('news_articles')
    .where('state', 'in', [...PUBLIC_STATES])
    .where('published_at', 'is not', null)
    .where('published_at', '<=', now);
}

/** The same rule for one loaded row. */
export function isPubliclyVisible(a: { state: string; published_at: number | string | null }, now: number): boolean {
  return (a.state === 'published' || a.state === 'scheduled') && a.published_at != null && Number(a.published_at) <= now;
}
