import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** A product the demo store sells (config/catalog/products.yaml, shared with the renderer). */
export interface Product {
  id: string;
  name: string;
  category: string;
  price: number;
  currency: string;
  url: string;
  image?: string;
  related: string[];
}

function isProduct(value: unknown): value is Product {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.id === 'string' &&
    typeof p.name === 'string' &&
    typeof p.category === 'string' &&
    typeof p.price === 'number' &&
    typeof p.currency === 'string' &&
    typeof p.url === 'string'
  );
}

/** Reads the catalog; throws naming the file and entry when one does not fit. */
export function loadCatalog(configDir: string): Product[] {
  const file = path.join(configDir, 'catalog', 'products.yaml');
  const doc: unknown = parse(readFileSync(file, 'utf8'));
  const products = (doc as { products?: unknown }).products;
  if (!Array.isArray(products)) throw new Error(`${file}: expected a "products" list`);
  return products.map((item: unknown, i) => {
    if (!isProduct(item))
      throw new Error(`${file}: products[${i}] lacks id/name/category/price/currency/url`);
    return { ...item, related: Array.isArray(item.related) ? item.related.map(String) : [] };
  });
}
