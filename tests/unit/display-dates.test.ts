import { describe, expect, it } from 'vitest';
import { formatDay, formatMoment, localDay } from '../../src/domain/display-dates';

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
});
