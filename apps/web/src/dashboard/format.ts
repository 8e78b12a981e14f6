/**
 * How the dashboard writes its figures: one function per kind of number, each answering
 * "not enough data" for a figure the API could not compute (`null`), so that no table or
 * tooltip ever shows NaN or a number nobody has.
 */

/** What the dashboard says where a figure cannot be computed from the data. */
export const NOT_ENOUGH_DATA = "not enough data";

/**
 * A share as a percentage: one decimal from 1 % up, two significant digits below (so that the
 * seed's 0.03 % reads as such and not as 0.0 %), and exactly "0 %" and "100 %" at the ends.
 */
export function percent(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return NOT_ENOUGH_DATA;
  const value = share * 100;
  if (value === 0 || value === 100) return `${value} %`;
  return `${value >= 1 ? value.toFixed(1) : value.toPrecision(2)} %`;
}

/** An agreement coefficient (alpha, kappa) to three decimals. */
export function coefficient(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NOT_ENOUGH_DATA;
  return value.toFixed(3);
}

/** A 95 % interval as "low–high %". */
export function interval(range: { low: number; high: number } | null): string {
  if (range === null) return NOT_ENOUGH_DATA;
  return `${percent(range.low).replace(" %", "")}–${percent(range.high)}`;
}

/** "1 defect", "3 defects". */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** A UTC day (YYYY-MM-DD) as a short date for axes, "3 Dec". */
export function shortDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}
