import type { Verdict } from '../compare/comparison.schema.js';

const icon: Record<Verdict, string> = {
  regression: '❌',
  inconclusive: '⚠️',
  improvement: '✅',
  neutral: '✅',
};

const stabilityPhrase: Record<Verdict, string> = {
  regression: 'Stability regression',
  improvement: 'Stability improvement',
  neutral: 'stability neutral',
  inconclusive: 'stability inconclusive',
};

const throughputPhrase: Record<Verdict, string> = {
  regression: 'Throughput regression',
  improvement: 'Throughput improvement',
  neutral: 'throughput neutral',
  inconclusive: 'throughput inconclusive',
};

const rank: Record<Verdict, number> = { regression: 0, inconclusive: 1, improvement: 2, neutral: 3 };

/**
 * The one line a maintainer reads first: the worse verdict leads, with what it rests on.
 * "❌ Stability regression: 3 new crash signatures in server-burst (asan) · throughput neutral (…)".
 */
export function headline(
  verdict: { readonly stability: Verdict; readonly throughput: Verdict },
  summary: { readonly stability: string; readonly throughput: string },
  measured: {
    readonly throughput: boolean;
    /**
     * The throughput verdict as the report names it (./throughput-label.ts): when neutral throughput
     * was shown only within the neutral margin ("no change beyond ±10.0%"), the line says that
     * instead of "throughput neutral".
     */
    readonly throughputLabel?: string;
  } = { throughput: true },
): string {
  // Throughput that was not measured at all is not news: it never leads the line.
  const weight = (v: Verdict, isMeasured: boolean) => (isMeasured ? rank[v] : 4);
  const parts = [
    {
      v: verdict.stability,
      w: weight(verdict.stability, true),
      phrase: stabilityPhrase[verdict.stability],
      why: summary.stability,
    },
    {
      v: verdict.throughput,
      w: weight(verdict.throughput, measured.throughput),
      phrase:
        verdict.throughput === 'neutral' && measured.throughputLabel && measured.throughputLabel !== 'neutral'
          ? `throughput: ${measured.throughputLabel}`
          : throughputPhrase[verdict.throughput],
      why: summary.throughput,
    },
  ].sort((a, b) => a.w - b.w);
  const [lead, other] = parts as [(typeof parts)[number], (typeof parts)[number]];
  const tail = `${other.phrase.toLowerCase()} (${other.why})`;
  const line =
    lead.v === 'neutral'
      ? `${icon.neutral} No regression: ${lead.phrase.toLowerCase()} (${lead.why}) · ${tail}`
      : `${icon[lead.v]} ${capitalise(lead.phrase)}: ${lead.why} · ${tail}`;
  return line.replace(/\s+/g, ' ');
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
