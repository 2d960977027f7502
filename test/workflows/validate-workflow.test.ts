import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { installRoot } from '../../src/util/paths.js';

interface Step {
  readonly name?: string;
  readonly if?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly with?: Record<string, string>;
}
interface Workflow {
  readonly on: { workflow_call: { inputs: Record<string, { default?: string }> } };
  readonly jobs: Record<string, { steps: Step[] }>;
}

const workflow = parse(
  readFileSync(join(installRoot, '.github', 'workflows', 'validate.yml'), 'utf8'),
) as Workflow;

describe('the reusable workflow', () => {
  it('runs the sigstorm commit the caller pinned the workflow to, not a moving branch', () => {
    const { inputs } = workflow.on.workflow_call;
    expect(inputs['sigstorm-ref']?.default).toBe('');
    expect(inputs['sigstorm-repository']?.default).toBe('');
    const checkouts = Object.values(workflow.jobs).flatMap((job) =>
      job.steps.filter(
        (step) => step.uses?.startsWith('actions/checkout@') && step.with?.path === 'sigstorm',
      ),
    );
    expect(checkouts).toHaveLength(1);
    // An Actions expression, not a template: `job.workflow_*` is this file's own commit and repository.
    const expression = (inner: string) => `\${{ ${inner} }}`;
    expect(checkouts[0]?.with?.ref).toBe(expression('inputs.sigstorm-ref || job.workflow_sha'));
    expect(checkouts[0]?.with?.repository).toBe(
      expression('inputs.sigstorm-repository || job.workflow_repository'),
    );
  });

  it("merges with the run's one config and fails the job on exit 3 (a failure under its policy)", () => {
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const validate = steps.find((step) => step.name === 'Validate')?.run ?? '';
    expect(validate).toContain('--fail-on-regression');
    expect(validate).toContain(
      'bash sigstorm/scripts/actions/resolve-config.sh fork "$BASE" "$RUNNER_TEMP/sigstorm.yml"',
    );
    expect(validate).toContain('--config "$RUNNER_TEMP/sigstorm.yml"');
    // Exit 3 is a verdict, not a crash: the report is still published before the gate fails the job.
    expect(validate).toMatch(/\[ "\$status" -ne 3 \]/);
    const gate = steps.find((step) => step.name === 'Gate');
    expect(gate?.run).toMatch(/if \[ "\$STATUS" != 0 \]; then[\s\S]*exit 1/);
    // Only for direct callers: a dispatched run (gate: false) leaves the gate to the App's check.
    expect(gate?.if).toBe('inputs.gate');
    expect(steps.indexOf(gate ?? {})).toBe(steps.length - 1);
  });

  it('writes a repro bundle when something failed and uploads it as its own artifact', () => {
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const validate = steps.find((step) => step.name === 'Validate')?.run ?? '';
    expect(validate).toContain('--repro-dir "$RUNNER_TEMP/sigstorm-repro"');
    const upload = steps.find(
      (step) => step.uses?.startsWith('actions/upload-artifact@') && step.with?.name === 'sigstorm-repro',
    );
    expect(upload?.with?.path).toBe(`\${{ runner.temp }}/sigstorm-repro/`);
    expect(upload?.with?.['if-no-files-found']).toBe('ignore');
    // Before the gate, which fails the job on a regression: the bundle matters most then.
    expect(steps.indexOf(upload ?? {})).toBeLessThan(steps.findIndex((step) => step.name === 'Gate'));
  });

  it('writes SARIF and keeps it with the report artifact', () => {
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    expect(steps.find((step) => step.name === 'Validate')?.run ?? '').toContain('--sarif sigstorm.sarif');
    const report = steps.find(
      (step) => step.uses?.startsWith('actions/upload-artifact@') && step.with?.name === 'sigstorm-report',
    );
    expect(report?.with?.path).toContain('sigstorm.sarif');
  });
});
