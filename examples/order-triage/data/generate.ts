/**
 * Generates `orders.json`, the order-triage example's data: a few hundred realistic orders, some
 * of them deliberately malformed so that validation and triage have something to find.
 *
 * Deterministic: a seeded PRNG and a fixed clock, so the committed file can be reproduced byte for
 * byte. Run `npx tsx examples/order-triage/data/generate.ts` to rewrite the file, or add `--check`
 * to verify the committed file (exit 1 when it differs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The seed the committed `orders.json` was generated with. */
export const ORDERS_SEED = 20250301;
/** How many orders the committed file holds. */
export const ORDER_COUNT = 360;

/** Currencies a well-formed order may use (ISO 4217). */
export const KNOWN_CURRENCIES = ['USD', 'EUR', 'GBP', 'SEK', 'CAD', 'AUD', 'JPY', 'CHF', 'PLN'] as const;
/** Order statuses, in lifecycle order. */
export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'] as const;
/** Order priorities. */
export const ORDER_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

/**
 * Defects injected into some orders, one per malformed order, and how many of each. A JSON Schema
 * catches every kind except `total_mismatch`, which needs arithmetic over the items (JSONata).
 */
export const DEFECT_COUNTS = {
  missing_id: 4,
  negative_qty: 5,
  bad_email: 4,
  unknown_currency: 3,
  string_total: 3,
  total_mismatch: 5,
} as const;

/** One kind of injected defect. */
export type DefectKind = keyof typeof DEFECT_COUNTS;

/** Defect kinds that a structural JSON Schema detects. */
export const SCHEMA_DETECTABLE_DEFECTS: readonly DefectKind[] = [
  'missing_id',
  'negative_qty',
  'bad_email',
  'unknown_currency',
  'string_total',
];

/** Where a defect was injected. */
export interface InjectedDefect {
  readonly index: number;
  readonly kind: DefectKind;
}

/** The generator's output: the orders and the defects it injected. */
export interface GeneratedOrders {
  readonly orders: Record<string, unknown>[];
  readonly defects: readonly InjectedDefect[];
}

// Units of each currency per USD; prices are converted once, then rounded like a shop would.
const RATES: Record<(typeof KNOWN_CURRENCIES)[number], number> = {
  USD: 1, EUR: 0.92, GBP: 0.79, SEK: 10.4, CAD: 1.36, AUD: 1.52, JPY: 149, CHF: 0.88, PLN: 3.98,
};
const COUNTRIES = [
  ['US', 'USD'], ['US', 'USD'], ['US', 'USD'], ['CA', 'CAD'], ['GB', 'GBP'], ['GB', 'GBP'], ['DE', 'EUR'],
  ['DE', 'EUR'], ['FR', 'EUR'], ['NL', 'EUR'], ['ES', 'EUR'], ['IE', 'EUR'], ['SE', 'SEK'], ['AU', 'AUD'],
  ['JP', 'JPY'], ['CH', 'CHF'], ['PL', 'PLN'],
] as const;
const FIRST = ['Ada', 'Ben', 'Chloé', 'Diego', 'Emma', 'Farah', 'Gustav', 'Hana', 'Ivan', 'Jules', 'Kenji', 'Lena',
  'Mateo', 'Nora', 'Olu', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Viktor', 'Wen', 'Yara', 'Zoe'];
const LAST = ['Andersson', 'Brennan', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Hughes', 'Ito', 'Jansen',
  'Kowalski', 'Larsen', 'Moreau', 'Novak', "O'Neill", 'Patel', 'Rossi', 'Schmidt', 'Tanaka', 'Walsh'];
const DOMAINS = ['example.com', 'mail.example.org', 'shop.example.net', 'example.co.uk'];
const PRODUCTS: readonly (readonly [sku: string, usdCents: number])[] = [
  ['KB-1001', 8900], ['KB-1002', 14900], ['MS-2001', 2900], ['MS-2002', 6900], ['MN-3001', 21900],
  ['MN-3002', 47900], ['HD-4001', 7900], ['HD-4002', 24900], ['CB-5001', 1200], ['CB-5002', 1900],
  ['DK-6001', 18900], ['LT-7001', 3900], ['CH-8001', 32900], ['CH-8002', 64900], ['WC-9001', 5900],
  ['SP-9101', 9900], ['MC-9201', 11900], ['ST-9301', 4500], ['PD-9401', 2500], ['UP-9501', 13900],
];
const BAD_EMAILS = (local: string) => [`${local}.example.com`, `${local}@`, `${local} @example.com`, `@example.com`];
const BAD_CURRENCIES = ['EURO', 'US$', 'XXY'];
const START = Date.UTC(2025, 2, 1);

/** A 32-bit seeded PRNG (mulberry32): tiny, fast, and the same on every platform. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Generates the orders for `seed`; the same seed always yields the same orders. */
export function generateOrders(seed = ORDERS_SEED, count = ORDER_COUNT): GeneratedOrders {
  const rand = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;
  const weighted = <T>(xs: readonly T[], weights: readonly number[]): T => {
    let r = rand() * weights.reduce((s, w) => s + w, 0);
    for (let i = 0; i < xs.length; i++) if ((r -= weights[i] ?? 0) < 0) return xs[i] as T;
    return xs[xs.length - 1] as T;
  };

  const customers = Array.from({ length: 90 }, (_, i) => {
    const first = pick(FIRST);
    const last = pick(LAST);
    const [country, currency] = pick(COUNTRIES);
    const local = `${first}.${last}`.normalize('NFD').replace(/[^A-Za-z.]/g, '').toLowerCase();
    return { id: `CUST-${String(1001 + i)}`, name: `${first} ${last}`, email: `${local}${i}@${pick(DOMAINS)}`, country, currency };
  });

  const times = Array.from({ length: count }, () => START + int(0, 30 * 24 * 3600) * 1000).sort((a, b) => a - b);
  const orders = times.map((time, i): Record<string, unknown> => {
    const { currency, ...customer } = pick(customers);
    const decimals = currency === 'JPY' ? 0 : 2;
    const items = Array.from({ length: weighted([1, 2, 3, 4, 5], [35, 30, 20, 10, 5]) }, () => {
      const [sku, usdCents] = pick(PRODUCTS);
      const unitPrice = Number(((usdCents / 100) * RATES[currency]).toFixed(decimals));
      return { sku, qty: weighted([1, 2, 3, 4, 10], [60, 20, 10, 6, 4]), unit_price: unitPrice };
    });
    // Sum in minor units so that the total is exactly what the items say, without float drift.
    const cents = items.reduce((s, it) => s + it.qty * Math.round(it.unit_price * 100), 0);
    const total = cents / 100;
    const usd = total / RATES[currency];
    return {
      id: `ORD-${String(240001 + i)}`,
      customer,
      items,
      total,
      currency,
      status: weighted(ORDER_STATUSES, [15, 25, 25, 25, 6, 4]),
      created_at: new Date(time).toISOString(),
      priority: usd > 1500 ? weighted(ORDER_PRIORITIES, [5, 35, 40, 20]) : weighted(ORDER_PRIORITIES, [20, 58, 16, 6]),
    };
  });

  // Pick distinct rows for the defects (a partial Fisher–Yates shuffle), then corrupt each once.
  const indices = orders.map((_, i) => i);
  const kinds = (Object.entries(DEFECT_COUNTS) as [DefectKind, number][]).flatMap(([k, n]) => Array<DefectKind>(n).fill(k));
  const defects: InjectedDefect[] = kinds.map((kind, k) => {
    const j = int(k, indices.length - 1);
    [indices[k], indices[j]] = [indices[j] as number, indices[k] as number];
    return { index: indices[k], kind };
  });
  defects.sort((a, b) => a.index - b.index);
  for (const { index, kind } of defects) corrupt(orders[index] as Record<string, unknown>, kind, { int, pick });
  return { orders, defects };
}

interface Dice {
  int(min: number, max: number): number;
  pick<T>(xs: readonly T[]): T;
}

function corrupt(order: Record<string, unknown>, kind: DefectKind, dice: Dice): void {
  const items = order['items'] as { qty: number; unit_price: number }[];
  const customer = order['customer'] as { email: string };
  switch (kind) {
    case 'missing_id':
      delete order['id'];
      return;
    case 'negative_qty': {
      const item = dice.pick(items);
      item.qty = -item.qty;
      return;
    }
    case 'bad_email':
      customer.email = dice.pick(BAD_EMAILS(customer.email.split('@')[0] ?? 'someone'));
      return;
    case 'unknown_currency':
      order['currency'] = dice.pick(BAD_CURRENCIES);
      return;
    case 'string_total':
      order['total'] = (order['total'] as number).toFixed(2);
      return;
    case 'total_mismatch':
      // A stale total, as if an item was removed after pricing.
      order['total'] = Math.round(((order['total'] as number) + dice.int(5, 120)) * 100) / 100;
      return;
  }
}

/** The orders as file text: one order per line, so diffs and greps stay readable. */
export function formatOrders(orders: readonly unknown[]): string {
  return `[\n${orders.map((o) => `  ${JSON.stringify(o)}`).join(',\n')}\n]\n`;
}

/** Where the committed data file lives. */
export const ORDERS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'orders.json');

function main(args: readonly string[]): number {
  const text = formatOrders(generateOrders().orders);
  if (args.includes('--check')) {
    const same = readFileSync(ORDERS_FILE, 'utf8') === text;
    console.log(same ? `${ORDERS_FILE} is up to date.` : `${ORDERS_FILE} differs from the generator output; rerun without --check.`);
    return same ? 0 : 1;
  }
  writeFileSync(ORDERS_FILE, text);
  console.log(`Wrote ${ORDER_COUNT} orders to ${ORDERS_FILE}.`);
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
