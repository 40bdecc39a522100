import type { ChaosResult } from './chaos';

/** Passed: nothing lost, nothing twice, every event acknowledged, no service died on its own. */
export function passed(r: ChaosResult): boolean {
  const { report } = r;
  return (
    report.lost === 0 &&
    report.duplicated === 0 &&
    report.notAcknowledged === 0 &&
    report.refused === 0 &&
    r.crashed.length === 0
  );
}

/** The figures, one per line, for people. */
export function formatResult(r: ChaosResult): string[] {
  const { report: o } = r;
  const outcomes = Object.entries(o.emailOutcomes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lines = [
    `events sent                 ${o.sent} (${o.pixels} pixels: fire-and-forget, not acknowledged by design)`,
    `events acknowledged         ${o.acknowledged}`,
    `not acknowledged (gave up)  ${o.notAcknowledged}`,
    `refused by ingest           ${o.refused}`,
    `lost                        ${o.lost}`,
    `duplicated effects          ${o.duplicated}`,
    `segment entries published   ${o.segmentEntries}`,
    `email triggers              ${o.emailTriggers} -> outcomes: ${outcomes || 'none'}`,
    `emails in maildev           ${o.mailDelivered}`,
    `unknown (cut mid-SMTP)      ${o.unknown.total} (${o.unknown.delivered} of them delivered; at most once by design)`,
    `bought, yet cart abandoned  ${o.boughtButAbandoned.late} (order acknowledged after the due time), ${o.boughtButAbandoned.inTime} (before it)`,
    ...r.faults.map(
      (f) =>
        `recovery ${f.fault.padEnd(30)} ready ${(f.readyMs / 1000).toFixed(1)} s, canary folded ${(f.recoveryMs / 1000).toFixed(1)} s`,
    ),
  ];
  if (r.crashed.length > 0)
    lines.push(`services that exited on their own: ${r.crashed.join(', ')}`);
  for (const p of o.problems.slice(0, 30)) lines.push(`PROBLEM ${p}`);
  if (o.problems.length > 30) lines.push(`... and ${o.problems.length - 30} more problem(s)`);
  return lines;
}
