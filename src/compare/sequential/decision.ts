/** Why a cell stopped taking iterations. */
export type StopReason = 'regression' | 'improvement' | 'equivalent' | 'cap';

/** Which rule settled it. */
export type StopRule = 'odds-ratio-test' | 'no-failures' | 'all-failures' | 'cap';

/** A one-sided sequential test: still open, or its boundary was crossed (accepted = effect shown). */
export type TestState = 'open' | 'accepted' | 'rejected';

export interface SequentialDecision {
  readonly state: 'continue' | 'stop';
  /** `null` while the cell continues. */
  readonly reason: StopReason | null;
  readonly rule: StopRule | null;
  /** Running log-likelihood ratios: head worse vs same odds, head better vs same odds. */
  readonly llr: { readonly worse: number; readonly better: number };
  readonly tests: { readonly worse: TestState; readonly better: TestState };
  /** Crossing `upper` shows an effect; crossing `lower` rules out the designed effect. */
  readonly bounds: { readonly upper: number; readonly lower: number };
  /** Judged iterations and failures behind the decision, per side. */
  readonly iterations: { readonly base: number; readonly head: number };
  readonly failures: { readonly base: number; readonly head: number };
  readonly batches: number;
  /** Clean (or failing) iterations in a row per side that prove the tolerance bound. */
  readonly certificateIterations: number;
  readonly maxIterationsPerSide: number;
  /** One sentence a maintainer reads: the evidence the state rests on. */
  readonly evidence: string;
}
