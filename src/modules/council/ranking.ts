// The ranking of municipalities by the council's indicators. Kept pure so its method can be
// shown beside it and checked by hand.

export interface RankedIndicator {
  code: string;
  weight: number;
  higher_is_better: boolean;
}

export interface RankInput {
  org: string;
  /** Indicator code -> value; null or absent = no value for the period. */
  values: Record<string, number | null | undefined>;
}

export interface RankRow {
  org: string;
  rank: number;
  /** 0-100. */
  score: number;
  /** Share (0-1) of the total weight for which the municipality has a value. */
  coverage: number;
  /** Indicator code -> normalised value 0-1 (null when absent). */
  normalised: Record<string, number | null>;
}

/** Below this coverage a municipality is listed but not ranked: too little is known. */
export const MIN_COVERAGE = 0.5;

/**
 * Min-max normalisation per indicator across the municipalities that have a value (1 = best of
 * them, 0 = worst; flipped when lower is better; all equal -> 1), then the weighted mean of the
 * normalised values a municipality has, re-weighted over those present, times 100. Municipalities
 * with at least MIN_COVERAGE of the weight are ranked by score (ties share a rank); the rest follow
 * with rank 0.
 */
export function rankMunicipalities(rows: RankInput[], indicators: RankedIndicator[]): RankRow[] {
  const used = indicators.filter((i) => i.weight > 0);
  const totalWeight = used.reduce((s, i) => s + i.weight, 0);
  const bounds = new Map<string, { min: number; max: number }>();
  for (const i of used) {
    const vs = rows.map((r) => r.values[i.code]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (vs.length > 0) bounds.set(i.code, { min: Math.min(...vs), max: Math.max(...vs) });
  }
  const scored = rows.map((r) => {
    const normalised: Record<string, number | null> = {};
    let weighted = 0;
    let present = 0;
    for (const i of used) {
      const v = r.values[i.code];
      const b = bounds.get(i.code);
      if (typeof v !== 'number' || !Number.isFinite(v) || !b) { normalised[i.code] = null; continue; }
      let n = b.max === b.min ? 1 : (v - b.min) / (b.max - b.min);
      if (!i.higher_is_better && b.max !== b.min) n = 1 - n;
      normalised[i.code] = n;
      weighted += i.weight * n;
      present += i.weight;
    }
    const score = present > 0 ? Math.round((100 * weighted / present) * 10) / 10 : 0;
    return { org: r.org, score, coverage: totalWeight > 0 ? present / totalWeight : 0, normalised, rank: 0 };
  });
  const ranked = scored.filter((r) => r.coverage >= MIN_COVERAGE).sort((a, b) => b.score - a.score || a.org.localeCompare(b.org));
  let last: number | null = null;
  ranked.forEach((r, i) => {
    r.rank = last !== null && ranked[i - 1]!.score === r.score ? last : i + 1;
    last = r.rank;
  });
  const unranked = scored.filter((r) => r.coverage < MIN_COVERAGE).sort((a, b) => a.org.localeCompare(b.org));
  return [...ranked, ...unranked];
}
