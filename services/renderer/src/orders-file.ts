import type { OrderLines } from '@pulse/templates';

export interface ParsedOrders {
  orders: OrderLines[];
  /** Lines that are not an order (bad JSON, no order_id, no products): skipped, not fatal. */
  skipped: number;
}

const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;

/**
 * Orders for co-purchase mining, from NDJSON in the format `pulse import orders.ndjson` sends to
 * ingest (one order a line: `order_id`, `customer_id`, `products` or `lines` with `product_id`),
 * so the same export feeds both. Only who bought what is read.
 */
export function parseOrderLines(text: string): ParsedOrders {
  const orders: OrderLines[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>; // shape checked field by field below
    } catch {
      skipped++;
      continue;
    }
    const orderId = str(o?.order_id);
    const lines = Array.isArray(o?.products) ? o.products : Array.isArray(o?.lines) ? o.lines : [];
    const productIds = (lines as unknown[])
      .map((l) => str((l as Record<string, unknown> | null)?.product_id))
      .filter((id): id is string => id !== null);
    if (orderId === null || productIds.length === 0) {
      skipped++;
      continue;
    }
    orders.push({ orderId, customerId: str(o.customer_id), productIds });
  }
  return { orders, skipped };
}
