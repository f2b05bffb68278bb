import { describe, expect, it } from 'vitest';
import { formatDay, formatMoment, localDay, startOfLocalDay } from '../../src/domain/display-dates';

describe('dates as people read them', () => {
  it('writes a calendar day in words, whatever the server zone', () => {
    expect(formatDay('2026-12-18')).toBe('18 December 2026');
    expect(formatDay('')).toBe('');
  });
  it('writes a moment in the school time zone, summer and winter', () => {
    expect(formatMoment('2026-12-18T14:05:00Z', 'Europe/London')).toBe('18 December 2026, 14:05');
    expect(formatMoment('2026-07-01T23:30:00Z', 'Europe/London')).toBe('2 July 2026, 00:30');
    expect(formatMoment('2026-07-01T23:30:00Z', 'America/New_York')).toBe('1 July 2026, 19:30');
  });
  it('finds the local day of a moment near midnight', () => {
    expect(localDay('2026-07-01T23:30:00Z', 'Europe/London')).toBe('2026-07-02');
  });
  it('finds the instant a school day begins, in summer, in winter and on the days the clocks change', () => {
    expect(startOfLocalDay('2026-07-01', 'Europe/London')).toBe('2026-06-30T23:00:00.000Z');
    expect(startOfLocalDay('2026-12-01', 'Europe/London')).toBe('2026-12-01T00:00:00.000Z');
    // The clocks go forward at 01:00 on 29 March and back at 02:00 on 25 October 2026: midnight is still on the old offset.
    expect(startOfLocalDay('2026-03-29', 'Europe/London')).toBe('2026-03-29T00:00:00.000Z');
    expect(startOfLocalDay('2026-10-25', 'Europe/London')).toBe('2026-10-24T23:00:00.000Z');
    expect(startOfLocalDay('2026-03-08', 'America/New_York')).toBe('2026-03-08T05:00:00.000Z');
    for (const day of ['2026-03-29', '2026-03-30', '2026-10-25', '2026-10-26']) expect(localDay(startOfLocalDay(day, 'Europe/London'), 'Europe/London')).toBe(day);
  });
});
