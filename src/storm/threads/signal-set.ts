import { constants } from 'node:os';

/** Signal number → name on this platform (Node's table; the first name wins for aliases such as SIGIOT). */
const names = new Map<number, string>();
for (const [name, number] of Object.entries(constants.signals)) {
  if (!names.has(number)) names.set(number, name);
}

/** The name of signal `n`; numbers without one (glibc's reserved 32/33, real-time signals) read `SIG<n>`. */
export function signalName(n: number): string {
  return names.get(n) ?? `SIG${n}`;
}

/** Decodes a /proc status mask (`SigBlk: 0000000000014003`): bit n-1 set means signal n is in the set. */
export function decodeMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim() || '0'}`);
  const set: string[] = [];
  for (let n = 1; n <= 64; n++) {
    if ((mask >> BigInt(n - 1)) & 1n) set.push(signalName(n));
  }
  return set;
}
