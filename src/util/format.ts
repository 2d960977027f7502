/** Number formatting shared by the verdict texts and the report renderers. */

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** An integer count with thousands separators: 2000 → "2,000". */
export function formatCount(value: number): string {
  return grouped.format(value);
}

/**
 * A rate or share as a percentage with as many decimals as small values need:
 * 0.31 → "31.0%", 0.0452 → "4.5%", 0.0015 → "0.15%", 0 → "0%", 0.00001 → "<0.01%".
 */
export function formatPercent(value: number): string {
  if (value === 0) return '0%';
  const magnitude = Math.abs(value);
  if (magnitude < 0.0001) return `${value < 0 ? '>-' : '<'}0.01%`;
  const digits = magnitude >= 0.01 ? 1 : 2;
  return `${(value * 100).toFixed(digits)}%`;
}

/** A relative change with its sign: −0.1234 → "−12.3%", 0.05 → "+5.0%" (typographic minus). */
export function formatChange(value: number): string {
  const text = formatPercent(Math.abs(value));
  if (value === 0) return '0.0%';
  return `${value < 0 ? '−' : '+'}${text}`;
}

/** A p-value: 4 significant digits down to 0.0001, then "<0.0001". */
export function formatPValue(p: number): string {
  if (p < 0.0001) return '<0.0001';
  if (p >= 0.9995) return '1';
  return p >= 0.001 ? p.toFixed(3) : p.toFixed(4);
}

/** Bits per second in the unit a reader expects: 9.41e9 → "9.41 Gbit/s". */
export function formatBitsPerSecond(bps: number): string {
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let value = bps;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toPrecision(3)} ${units[unit]}`;
}
