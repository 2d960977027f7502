/** Sizes in settings: `20G`, `512M`, `1.5T` or a byte count (binary units: 1G = 1024³ bytes). */
const units = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 } as const;

export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? '').toUpperCase() as keyof typeof units;
  return Math.round(Number(match[1]) * units[unit]);
}

/** 1536 → "1.5 KiB", for messages. */
export function formatSize(bytes: number): string {
  const names = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < names.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${names[unit]}`;
}
