/**
 * Does a typed signature plausibly name this person? Case, spacing, accents
 * and punctuation are forgiven; the first name may be an initial; a middle name
 * may be added or left out. The surname must match.
 */
export function plausiblySameName(typed: string, directoryName: string): boolean {
  const a = tokens(typed);
  const b = tokens(directoryName);
  if (!a.length || !b.length) return false;
  if (a.join(' ') === b.join(' ')) return true;
  if (a.length < 2 || b.length < 2) return false;
  const [aFirst, aLast] = [a[0], a.at(-1)!];
  const [bFirst, bLast] = [b[0], b.at(-1)!];
  if (aLast !== bLast) return false;
  return aFirst === bFirst || (aFirst.length === 1 && bFirst.startsWith(aFirst)) || (bFirst.length === 1 && aFirst.startsWith(bFirst));
}

function tokens(s: string): string[] {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z\s-]/g, ' ')
    .replace(/-/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}
