import type { AggregateSpec, Condition, Metric } from './ast';

/** The profile paths a condition reads, in the form of ProfileChange.changed. */
export function conditionReads(c: Condition, out: Set<string> = new Set()): Set<string> {
  switch (c.kind) {
    case 'all':
    case 'any':
      for (const child of c.of) conditionReads(child, out);
      break;
    case 'not':
      conditionReads(c.of, out);
      break;
    case 'value':
      out.add(c.source === 'trait' ? `traits.${c.name}` : fieldPath(c.name));
      break;
    case 'count':
    case 'stat':
    case 'recency':
      out.add(`aggregates.${c.agg.id}`);
      break;
    case 'after':
      out.add(`aggregates.${c.agg.id}`).add(`aggregates.${c.than.id}`);
      break;
    case 'ratio':
      out.add(`aggregates.${c.numerator.id}`).add(`aggregates.${c.denominator.id}`);
      break;
    case 'percentile':
      out.add(metricPath(c.metric)).add(`distributions.${c.metric.id}`);
      break;
    case 'segment':
      out.add(`segments.${c.id}`);
      break;
    case 'bucket':
      break; // the customer id never changes
  }
  return out;
}

/** ProfileChange.changed names identity changes 'identities'; other fields by their own name. */
function fieldPath(name: string): string {
  return name === 'userIds' || name === 'anonymousIds' ? 'identities' : name;
}

function metricPath(m: Metric): string {
  return m.kind === 'trait' ? `traits.${m.name}` : `aggregates.${m.agg.id}`;
}

/** Every aggregate a condition needs, and every metric whose distribution it reads. */
export function conditionNeeds(
  c: Condition,
  aggs: Map<string, AggregateSpec>,
  metrics: Map<string, Metric>,
): void {
  const addAgg = (a: AggregateSpec) => {
    const prev = aggs.get(a.id);
    if (prev === undefined || prev.horizonMs < a.horizonMs) aggs.set(a.id, a);
  };
  switch (c.kind) {
    case 'all':
    case 'any':
      for (const child of c.of) conditionNeeds(child, aggs, metrics);
      return;
    case 'not':
      conditionNeeds(c.of, aggs, metrics);
      return;
    case 'count':
    case 'stat':
    case 'recency':
      addAgg(c.agg);
      return;
    case 'after':
      addAgg(c.agg);
      addAgg(c.than);
      return;
    case 'ratio':
      addAgg(c.numerator);
      addAgg(c.denominator);
      return;
    case 'percentile':
      metrics.set(c.metric.id, c.metric);
      if (c.metric.kind === 'aggregate') addAgg(c.metric.agg);
      return;
    case 'value':
    case 'segment':
    case 'bucket':
      return;
  }
}
