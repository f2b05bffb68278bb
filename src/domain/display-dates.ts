/**
 * Dates as people read them, the same on every card, in the summary and in the CSV:
 * "18 December 2026" for a calendar day, "18 December 2026, 14:05" for a moment,
 * always in the school's time zone (SCHOOL_TIMEZONE), never the server's.
 *
 * Intl formatters are costly to build (a campaign renders thousands of cards), so each
 * is made once per time zone.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = make()));
  return f;
}

/** A calendar day (`YYYY-MM-DD`) as "18 December 2026"; empty in, empty out. */
export function formatDay(isoDate: string): string {
  if (!isoDate) return '';
  // Noon UTC: a calendar day has no time zone, and noon never crosses a day boundary.
  const d = new Date(`${isoDate.slice(0, 10)}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return isoDate;
  return formatter('day', () => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })).format(d);
}

/** A moment (ISO instant) as "18 December 2026, 14:05" in the school's time zone. */
export function formatMoment(iso: string, timeZone: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = formatter(`moment:${timeZone}`, () =>
    new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }),
  ).formatToParts(d);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')} ${get('month')} ${get('year')}, ${get('hour')}:${get('minute')}`;
}

/** The calendar day (`YYYY-MM-DD`) a moment falls on in the school's time zone. */
export function localDay(iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso.slice(0, 10);
  return formatter(`local:${timeZone}`, () => new Intl.DateTimeFormat('en-CA', { timeZone })).format(d);
}

/** The instant (ISO) a calendar day (`YYYY-MM-DD`) begins in the school's time zone: what "created on or after this day" compares with. */
export function startOfLocalDay(isoDate: string, timeZone: string): string {
  const wall = Date.parse(`${isoDate.slice(0, 10)}T00:00:00Z`);
  const f = formatter(`wall:${timeZone}`, () =>
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' }),
  );
  // The zone's offset at an instant: its wall-clock time read as if it were UTC, minus the instant.
  const offset = (t: number) => {
    const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]));
    return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - t;
  };
  // Twice: the offset at the guess may differ from the offset at the answer across a clock change.
  let t = wall - offset(wall);
  t = wall - offset(t);
  return new Date(t).toISOString();
}
