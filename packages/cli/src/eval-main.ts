import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { beatsBaselines, formatEvaluation, runEvaluation } from './eval-run';
import { loadCatalog } from './store/catalog';

const HELP = `usage: pulse eval [--seed N] [--customers N] [--days N] [--horizon D] [--truth-out file.json]

Generates a seeded store with a known ground truth (personas with hidden churn and preference
processes), trains the churn model (time-based split) and the recommender on its observable
history, and scores them: churn AUC against the hidden churn next to a recency-only baseline;
precision@5 and recall@5 on held-out orders next to a popularity baseline. Exit 0 when every
learned figure beats its baseline, 1 when one does not (said plainly), 2 on bad arguments.

  --seed N          generator seed (default 42)
  --customers N     customers (default 2000)
  --days N          days of history (default 540)
  --horizon D       churn horizon in days (default 60)
  --truth-out file  also write the hidden truth (per customer) as JSON
  --config dir      config directory with catalog/products.yaml (default config)`;

/** 2026-01-01T00:00Z: a fixed present, so a seed always gives the same figures. */
const EVAL_END = Date.UTC(2026, 0, 1);

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new RangeError(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

/** `pulse eval`: wiring only; the work is in eval-run.ts and @pulse/predict. */
export function evalMain(argv: readonly string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        seed: { type: 'string' },
        customers: { type: 'string' },
        days: { type: 'string' },
        horizon: { type: 'string' },
        'truth-out': { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    process.stderr.write(`pulse eval: ${(err as Error).message}\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  let result;
  try {
    result = runEvaluation({
      seed: int(values.seed, 42, 'seed'),
      customers: int(values.customers, 2000, 'customers'),
      days: int(values.days, 540, 'days'),
      horizonDays: int(values.horizon, 60, 'horizon'),
      end: EVAL_END,
      demoCatalog: loadCatalog(path.resolve(values.config ?? 'config')),
    });
  } catch (err) {
    process.stderr.write(`pulse eval: ${(err as Error).message}\n`);
    return 2;
  }
  if (!result.ok) {
    process.stderr.write(`pulse eval: ${result.message}\n`);
    return 1;
  }
  for (const line of formatEvaluation(result)) process.stdout.write(`${line}\n`);
  if (values['truth-out']) {
    writeFileSync(values['truth-out'], `${JSON.stringify(result.store.truth, null, 2)}\n`);
    process.stdout.write(`hidden truth written to ${values['truth-out']}\n`);
  }
  return beatsBaselines(result) ? 0 : 1;
}
