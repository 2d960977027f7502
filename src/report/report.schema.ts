import { z } from 'zod';
import { Comparison } from '../compare/comparison.schema.js';
import { VariantName } from '../compile/variants.js';
import { Thresholds } from '../config/thresholds.schema.js';
import { sandboxModeKinds } from '../sandbox/sandbox.schema.js';

/**
 * The JSON report of one validation (report.json), versioned. This schema is the source of truth:
 * schemas/report.schema.json is generated from it and docs/report.md describes every field.
 * Rates are fractions (0.012 = 1.2%); counts are iterations or runs.
 */

export const reportSchemaVersion = 1;

export const BuildInfo = z
  .object({
    label: z.string().describe('how the report names this tree, e.g. "main + slow-send.patch"'),
    repo: z.string().nullable(),
    ref: z.string().nullable(),
    commit: z.string().nullable(),
    patches: z.array(z.string()),
    sandbox: z
      .enum(sandboxModeKinds)
      .default('bwrap')
      .describe(
        "where this tree's code ran: bwrap (a bubblewrap sandbox: loopback-only network, read-only system, limits) or none (--no-sandbox)",
      ),
    variants: z
      .array(
        z
          .object({
            variant: VariantName,
            binary: z.string().nullable(),
            cached: z.boolean().nullable(),
            buildMs: z.number().nonnegative().nullable(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type BuildInfo = z.output<typeof BuildInfo>;
export type BuildInfoInput = z.input<typeof BuildInfo>;

export const NotRun = z
  .object({ what: z.string(), why: z.string() })
  .strict()
  .describe('something the configuration asked for that did not run, and why');
export type NotRun = z.infer<typeof NotRun>;

export const Report = z
  .object({
    schemaVersion: z.literal(reportSchemaVersion),
    generatedAt: z.string().describe('ISO 8601'),
    sigstormVersion: z.string(),
    headline: z.string().describe('one line: the verdicts and what they rest on'),
    verdict: Comparison.shape.verdict,
    summary: Comparison.shape.summary,
    base: BuildInfo,
    head: BuildInfo,
    thresholds: Thresholds,
    stability: Comparison.shape.stability,
    throughput: Comparison.shape.throughput,
    notRun: z.array(NotRun),
  })
  .strict()
  .describe('sigstorm validation report');
export type Report = z.output<typeof Report>;
export type ReportInput = z.input<typeof Report>;
