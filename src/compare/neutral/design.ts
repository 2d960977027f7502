/**
 * What a neutral stability verdict proves (docs/statistics.md, "Neutral"):
 * - `per-cell`: every cell within its variant's fine tolerance (≈ 600 clean iterations per plain
 *   cell and side): the release gate's statement;
 * - `pooled`: every cell within the coarse `cellTolerance` (31 per cell and side at 10%) and all cells
 *   pooled within the fine tolerance: what a pull request can reach in minutes.
 * The sequential tests that catch a worse cell run the same in both.
 */
export const neutralDesigns = ['per-cell', 'pooled'] as const;
export type NeutralDesign = (typeof neutralDesigns)[number];
