/**
 * Calendar dates as `YYYY-MM-DD` strings in the school's time zone. Arithmetic is
 * done at noon UTC so that a daylight-saving change never moves the result a day.
 */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
