import type { StaffMember } from '../domain/people';
import type { Directory } from '../ports/directory';

/** People per directory read while searching. */
const PAGE = 1_000;

/**
 * Current staff whose name or e-mail contains every word of `q` (case-insensitive): the first `limit`
 * by name. Reads the directory a page at a time and keeps only the best `limit` so far, so a trust's
 * roster is never held whole. People who have left are not offered, unless `leavers` (a subject access request).
 */
export async function findStaff(directory: Directory, q: string, limit = 20, o: { leavers?: boolean } = {}): Promise<StaffMember[]> {
  const words = q.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const found: StaffMember[] = [];
  for (let after = ''; ; ) {
    const page = await directory.listStaffPage(after, PAGE);
    for (const s of page) {
      if (s.leftOn && !o.leavers) continue;
      const text = `${s.name} ${s.email}`.toLowerCase();
      if (words.every((w) => text.includes(w))) found.push(s);
    }
    found.sort((a, b) => a.name.localeCompare(b.name));
    found.splice(limit);
    if (page.length < PAGE) break;
    after = page.at(-1)!.id;
  }
  return found;
}
