/**
 * A number setting read by hand, for a node that has no settings table yet
 * (absent = `fallback`, '' = `blank`). Nodes with a table read numbers
 * through settings/read.ts instead.
 */
export function numberSetting(value: unknown, name: string, fallback: number | null, blank: number | null = fallback): number | null {
  if (value === undefined || value === null) return fallback;
  if (value === '') return blank;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, not "${String(value).slice(0, 40)}"`);
  return n;
}
