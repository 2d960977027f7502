import { z } from 'zod';
import { VariantName } from '../../compile/variants.js';
import { CensusRow } from '../../storm/threads/census.schema.js';

const Count = z.number().int().nonnegative();
const Tally = z.object({ iterations: Count, failures: Count }).strict();

/** One side of a cell split by where its signals landed (tracefs), harness errors left out. */
export const ThreadSplit = z
  .object({
    main: Tally.describe('iterations where the main thread took every pattern signal that was taken'),
    other: Tally.describe('iterations where some pattern signal was taken by another thread'),
    untraced: Count.describe('iterations without a trace, or where no thread took a signal'),
  })
  .strict();
export type ThreadSplit = z.infer<typeof ThreadSplit>;

const Disposition = z.enum(['ignored', 'caught', 'default']);

export const MaskChangeEntry = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('handler-threads'),
        direction: z.enum(['more', 'fewer']),
        signals: z.array(z.string()).describe('the termination signals whose handler threads changed alike'),
        base: z.array(z.string()).describe('roles of the threads that can run the handler in base'),
        head: z.array(z.string()),
        sentence: z.string(),
        why: z.string(),
        process: z.enum(['server', 'client']),
        finding: z
          .boolean()
          .describe('more threads and signal-mask in findings.kinds: a regression by itself'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('disposition'),
        signal: z.string(),
        base: Disposition,
        head: Disposition,
        weight: z.enum(['risk', 'note']),
        sentence: z.string(),
        process: z.enum(['server', 'client']),
        finding: z.literal(false),
      })
      .strict(),
  ])
  .describe("a change between base's and head's signal masks or dispositions, from the census");
export type MaskChangeEntry = z.infer<typeof MaskChangeEntry>;

export const MaskTable = z
  .object({
    process: z.enum(['server', 'client']),
    workload: z.string().describe('the cell whose first census is shown'),
    variant: VariantName,
    base: z.array(CensusRow),
    head: z.array(CensusRow),
  })
  .strict();
export type MaskTable = z.infer<typeof MaskTable>;

/** How far a census finding is settled: its consequence shown, shown harmless by aimed cells, or neither yet. */
export const findingStatuses = ['shown', 'harmless', 'open'] as const;
export const FindingStatus = z.enum(findingStatuses);
export type FindingStatus = z.infer<typeof FindingStatus>;

export const censusFindingKinds = ['handler-threads', 'sigpipe'] as const;

export const CensusFinding = z
  .object({
    kind: z
      .enum(censusFindingKinds)
      .describe(
        'handler-threads: a thread other than main can run a termination handler written for main; sigpipe: head no longer ignores SIGPIPE',
      ),
    process: z.enum(['server', 'client']),
    title: z.string().describe('what the census shows, in a few words, e.g. "SIGPIPE no longer ignored"'),
    status: FindingStatus.describe(
      'shown: a regression (by itself, or in a cell that aims at it); harmless: every cell that aims at it is within its fine tolerance; open: neither, so the verdict cannot be neutral',
    ),
    because: z.string().describe('why the status: the deciding cell and its figures'),
    cells: z.array(z.string()).describe('the cells that aim at it: `workload (variant)`'),
  })
  .strict()
  .describe(
    "a census finding: a change of head's threads or dispositions that can crash iperf3, and what settles it",
  );
export type CensusFinding = z.infer<typeof CensusFinding>;

export const ThreadsReport = z
  .object({
    tables: z
      .array(MaskTable)
      .describe('per process (server, client): the threads and how each takes the watched signals'),
    changes: z.array(MaskChangeEntry),
    findings: z
      .array(CensusFinding)
      .default([])
      .describe(
        'the census findings the changes open, each with its status: an open one keeps the verdict from neutral',
      ),
    tracing: z
      .string()
      .nullable()
      .describe('why signals were not traced (tracefs unusable), said once; null when they were'),
  })
  .strict();
export type ThreadsReport = z.infer<typeof ThreadsReport>;
