import { z } from 'zod';

/**
 * Lists page on the server. A cursor is opaque to the tab: the sort key and id of the last row of the
 * page before, so the server keeps nothing between pages and a row added meanwhile never shifts one.
 */
export type Position = readonly [key: string, id: string];

export const encodeCursor = (p: Position): string => Buffer.from(JSON.stringify(p)).toString('base64url');

function decodeCursor(s: string): Position | undefined {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // not ours: refused by the schema
  }
  return undefined;
}

/** `?cursor=`: absent or empty for the first page; anything this server did not give is a 400 naming the field. */
export const cursorParam = (valid: (p: Position) => boolean = () => true) =>
  z
    .string()
    .max(500, 'not a cursor this list gave; start again from the first page')
    .optional()
    .transform((s, c): Position | undefined => {
      if (!s) return undefined;
      const p = decodeCursor(s);
      if (!p || !valid(p)) {
        c.addIssue({ code: 'custom', message: 'not a cursor this list gave; start again from the first page' });
        return z.NEVER;
      }
      return p;
    });

/** `?limit=`: how many rows a page holds. */
export const limitParam = (fallback: number, max: number) =>
  z.coerce.number({ message: `a whole number from 1 to ${max}` }).int(`a whole number from 1 to ${max}`).min(1, `a whole number from 1 to ${max}`).max(max, `a whole number from 1 to ${max}`).default(fallback);
