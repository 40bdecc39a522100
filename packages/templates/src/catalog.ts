import type { TemplateProblem } from './problems';
import { ProblemAt } from './problems';
import { expectMap, expectSeq, numberOf, onlyKeys, required, stringOf, entry } from './yaml-tree';
import { parseYamlTree } from './yaml-tree';

/** One product of config/catalog. */
export interface Product {
  id: string;
  name: string;
  category: string;
  price: number;
  currency: string;
  image: string | null;
  url: string | null;
  /** Accessories and companions (product ids). */
  related: string[];
  /** Higher is more popular: the order of the popularity fallback. */
  popularity: number;
}

const KEYS = [
  'id',
  'name',
  'category',
  'price',
  'currency',
  'image',
  'url',
  'related',
  'popularity',
];

/**
 * Parses a catalog file (`products: [{id, name, category, price, currency, image, url, related,
 * popularity}]`). Unknown related ids are problems too (checked across files by `checkCatalog`).
 */
export function parseCatalog(
  file: string,
  text: string,
): { products: Product[]; problems: TemplateProblem[] } {
  const { tree, problems } = parseYamlTree(file, text);
  if (!tree) return { products: [], problems };
  try {
    const root = expectMap(tree, 'a catalog file');
    onlyKeys(root, ['products'], 'a catalog file');
    const products = expectSeq(
      required(root, 'products', 'a catalog file').value,
      'products',
    ).items.map((node) => {
      const m = expectMap(node, 'a product');
      onlyKeys(m, KEYS, 'a product');
      const opt = (k: string) => {
        const e = entry(m, k);
        return e && e.value.kind === 'scalar' && e.value.value !== null
          ? stringOf(e.value, k)
          : null;
      };
      const related = entry(m, 'related');
      const popularity = entry(m, 'popularity');
      return {
        id: stringOf(required(m, 'id', 'a product').value, 'id'),
        name: stringOf(required(m, 'name', 'a product').value, 'name'),
        category: stringOf(required(m, 'category', 'a product').value, 'category'),
        price: numberOf(required(m, 'price', 'a product').value, 'price'),
        currency: opt('currency') ?? 'USD',
        image: opt('image'),
        url: opt('url'),
        related: related
          ? expectSeq(related.value, 'related').items.map((i) => stringOf(i, 'related id'))
          : [],
        popularity: popularity ? numberOf(popularity.value, 'popularity') : 0,
      };
    });
    return { products, problems: [] };
  } catch (err) {
    if (err instanceof ProblemAt)
      return {
        products: [],
        problems: [{ file, line: err.line, column: err.column, message: err.message }],
      };
    throw err;
  }
}

/** Related ids that name no product, as problems of `file`. */
export function checkCatalog(file: string, products: readonly Product[]): TemplateProblem[] {
  const ids = new Set(products.map((p) => p.id));
  return products.flatMap((p) =>
    p.related
      .filter((r) => !ids.has(r))
      .map((r) => ({
        file,
        line: 1,
        column: 1,
        message: `product ${p.id} relates to unknown product ${r}`,
      })),
  );
}
