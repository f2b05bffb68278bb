import { createHash } from 'node:crypto';
import { ConflictError } from '../../domain/errors';

/**
 * Converting domain values to SharePoint field values and back. SharePoint
 * stores dateTime values to the second, in UTC; date-only values at midnight in
 * the site's time zone. Empty text comes back as no value at all.
 */

export type Fields = Record<string, unknown>;

/** SharePoint's single line of text limit (support.microsoft.com, "List and library column types and options"). */
export const SINGLE_LINE_MAX = 255;

/** An ISO timestamp as SharePoint stores it: whole seconds, UTC. */
export function toDateTime(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new TypeError(`not a timestamp: ${iso}`);
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Back to the domain's form, `new Date().toISOString()`. */
export function fromDateTime(v: unknown): string | null {
  if (typeof v !== 'string' || !v) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** Rounds an ISO timestamp up to the next whole second, for lease ends that must never expire early. */
export function ceilToSecond(ms: number): string {
  return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A YYYY-MM-DD date for a date-only column. We write noon UTC: SharePoint keeps a
 * date-only value as midnight in the site's time zone, and noon UTC is the same
 * calendar day in every zone from UTC-11 to UTC+11.
 */
export function toDate(day: string | null | undefined): string | null {
  if (!day) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new TypeError(`not a date: ${day}`);
  return `${day}T12:00:00Z`;
}

/**
 * Reads a date-only value back. Graph returns the stored instant in UTC: our noon,
 * or the site's local midnight (e.g. 23:00Z the day before for UTC+1). Adding just
 * under 12 hours and taking the UTC day gives the intended date in both cases.
 */
export function fromDate(v: unknown): string {
  if (typeof v !== 'string' || !v) return '';
  const t = Date.parse(v);
  if (Number.isNaN(t)) return '';
  return new Date(t + 12 * 3600_000 - 60_000).toISOString().slice(0, 10);
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
export const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
export const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0) || 0);
export const bool = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 'true';

/** Parses a JSON column, with a fallback for an empty one. */
export function json<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string' || !v) return fallback;
  return JSON.parse(v) as T;
}

/** Text for a single-line column: checked, because SharePoint would refuse the whole write. */
export function line(v: string | null | undefined, what: string): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (v.length > SINGLE_LINE_MAX) throw new RangeError(`${what} is longer than SharePoint's ${SINGLE_LINE_MAX}-character single line of text`);
  return v;
}

/** Title is for people browsing the list: never read back, so it may be cut. */
export function title(v: string): string {
  return v.length <= SINGLE_LINE_MAX ? v : `${v.slice(0, SINGLE_LINE_MAX - 1)}…`;
}

/**
 * A lookup key from parts. Keys are compared whole (eq), so one that would
 * overflow a single line of text is replaced by its SHA-256.
 */
export function keyOf(...parts: string[]): string {
  const k = parts.join('|');
  return k.length <= SINGLE_LINE_MAX ? k : `sha256:${createHash('sha256').update(k).digest('hex')}`;
}

/** The earliest date-time, as an OData literal: `Col ge EPOCH` is a range on an indexed date column that matches every item with one. */
export const EPOCH = `'1970-01-01T00:00:00Z'`;

/** An OData string literal: quotes doubled. */
export function lit(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

/**
 * The port's opaque version tag: the item id, its eTag, and what an update
 * needs to know about the version it replaces (for recipients, the state and
 * department whose counters move). Carrying the item id means an update needs
 * no lookup first.
 */
export function encodeTag(itemId: string, eTag: string, extra?: Record<string, string>): string {
  return `${itemId}.${Buffer.from(JSON.stringify(extra ? [eTag, extra] : [eTag])).toString('base64url')}`;
}

export function decodeTag(tag: string, entity: string, id: string): { itemId: string; eTag: string; extra: Record<string, string> } {
  const dot = tag.indexOf('.');
  try {
    if (dot < 1) throw new Error('no item id');
    const [eTag, extra] = JSON.parse(Buffer.from(tag.slice(dot + 1), 'base64url').toString('utf8')) as [string, Record<string, string>?];
    if (typeof eTag !== 'string') throw new Error('no eTag');
    return { itemId: tag.slice(0, dot), eTag, extra: extra ?? {} };
  } catch {
    // A tag we never issued cannot match the stored version: the same answer as a stale one.
    throw new ConflictError(entity, id);
  }
}
