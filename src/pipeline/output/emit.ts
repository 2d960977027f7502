import type { ValidateOptions, ValidateProgress } from '../request/contract.js';

/** Reports progress of one phase; the cell counts default to 0 outside the storm phase. */
export type Emit = (
  progress: Omit<ValidateProgress, 'cellsDone' | 'cellsTotal'> & Partial<ValidateProgress>,
) => void;

export function emitTo(onProgress: ValidateOptions['onProgress']): Emit {
  return (progress) => onProgress?.({ cellsDone: 0, cellsTotal: 0, ...progress });
}
