import type { StaffMember } from '../domain/people';
import type { DirectoryPerson, RosterChanges } from '../domain/roster';
import { parseCsv } from './csv';

/**
 * Reading a staff roster from a CSV file (`npm run roster:import`): a header row naming the columns,
 * then one person a row. Every row is checked before anything is written; a file with any bad row
 * imports nothing, and each bad row gets its own message (row number, column, how to fix it).
 */

export interface RowProblem {
  /** The row as a spreadsheet numbers it: the header is row 1. */
  row: number;
  /** The column, as the header names it ('' for the file or the whole row). */
  field: string;
  message: string;
}

type Column = 'name' | 'email' | 'objectId' | 'department' | 'jobTitle' | 'joinedOn';

/** Header names accepted for each column (compared without case, spaces, hyphens or underscores). */
const HEADERS: Record<Column, string[]> = {
  name: ['name', 'displayname', 'fullname'],
  email: ['email', 'mail', 'emailaddress'],
  objectId: ['objectid', 'id', 'entraobjectid', 'aadobjectid', 'userid'],
  department: ['department'],
  jobTitle: ['jobtitle', 'title', 'role'],
  joinedOn: ['joinedon', 'startdate', 'hiredate', 'employeehiredate'],
};
const LABEL: Record<Column, string> = { name: 'name', email: 'email', objectId: 'object id', department: 'department', jobTitle: 'job title', joinedOn: 'joined on' };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Deliberately loose: one @, something either side, a dot in the domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const squash = (h: string) => h.trim().toLowerCase().replace(/[\s_-]+/g, '');

function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/**
 * The people in a roster CSV, or every problem with it. `stored`: the staff already kept, so a row
 * without an object id finds its person by e-mail. A row with neither a stored match nor an object id
 * is keyed by its e-mail address (fine in the embedded mode; in Microsoft 365 Teams knows people by
 * object id, so a file for a real school should carry it).
 */
export function readRosterCsv(text: string, stored: readonly StaffMember[]): { ok: true; people: DirectoryPerson[] } | { ok: false; problems: RowProblem[] } {
  const parsed = parseCsv(text);
  if (!parsed.ok) return { ok: false, problems: [{ row: parsed.line, field: '', message: parsed.message }] };
  const [header, ...rows] = parsed.records;
  if (!header) return { ok: false, problems: [{ row: 1, field: '', message: 'the file is empty: the first row must name the columns (name, email, object id, department, job title, joined on)' }] };
  const at: Partial<Record<Column, number>> = {};
  const problems: RowProblem[] = [];
  header.fields.forEach((h, i) => {
    const col = (Object.keys(HEADERS) as Column[]).find((c) => HEADERS[c].includes(squash(h)));
    if (!col) {
      if (h.trim()) problems.push({ row: 1, field: h.trim(), message: `"${h.trim()}" is not a column Countersign reads: use name, email, object id, department, job title and joined on (or remove the column)` });
    } else if (at[col] !== undefined) problems.push({ row: 1, field: h.trim(), message: `the ${LABEL[col]} column appears twice: keep one` });
    else at[col] = i;
  });
  if (at.name === undefined) problems.push({ row: 1, field: 'name', message: 'there is no name column: add one headed "name"' });
  if (at.email === undefined && at.objectId === undefined) problems.push({ row: 1, field: 'email', message: 'there is neither an email nor an object id column: add one of them (both is best)' });
  if (problems.length) return { ok: false, problems };

  const byEmail = new Map(stored.filter((s) => s.email).map((s) => [s.email.trim().toLowerCase(), s]));
  const seenId = new Map<string, number>();
  const seenEmail = new Map<string, number>();
  const people: DirectoryPerson[] = [];
  for (const r of rows) {
    const cell = (c: Column) => (at[c] === undefined ? '' : (r.fields[at[c]!] ?? '').trim());
    if (r.fields.every((f) => !f.trim())) continue; // a blank line, as spreadsheets leave at the end
    const bad = (c: Column | '', message: string) => problems.push({ row: r.line, field: c ? LABEL[c] : '', message });
    const before = problems.length;
    if (r.fields.length > header.fields.length) {
      // Its cells are shifted, so what they hold says nothing about the columns: one message for the row.
      bad('', `the row has ${r.fields.length} cells but the header names ${header.fields.length} columns: a comma inside a name or department needs the cell in double quotes`);
      continue;
    }
    const name = cell('name');
    const email = cell('email');
    const objectId = cell('objectId');
    const joinedOn = cell('joinedOn');
    if (!name) bad('name', 'the name is empty: give the person’s name as it should appear in Countersign');
    else if (name.length > 200) bad('name', 'the name is longer than 200 characters: shorten it');
    if (email && !EMAIL.test(email)) bad('email', `"${email}" is not an e-mail address: write it as name@school.org, or leave it empty and give the object id`);
    if (objectId && !GUID.test(objectId)) bad('objectId', `"${objectId}" is not an Entra object id: copy the person’s Object ID from the Entra admin centre (it looks like 00000000-0000-0000-0000-000000000000)`);
    if (!email && !objectId) bad('email', 'the row has neither an e-mail address nor an object id: give at least one');
    if (joinedOn && !isDay(joinedOn)) bad('joinedOn', `"${joinedOn}" is not a date: write it as YYYY-MM-DD, e.g. 2024-09-02, or leave it empty`);
    if (problems.length > before) continue;
    const id = objectId ? objectId.toLowerCase() : (byEmail.get(email.toLowerCase())?.id ?? email.toLowerCase());
    const firstId = seenId.get(id);
    if (firstId !== undefined) {
      bad(objectId ? 'objectId' : 'email', `the same person is already on row ${firstId}: keep one row per person`);
      continue;
    }
    const firstEmail = email ? seenEmail.get(email.toLowerCase()) : undefined;
    if (firstEmail !== undefined) {
      bad('email', `${email} is already on row ${firstEmail}: keep one row per person`);
      continue;
    }
    seenId.set(id, r.line);
    if (email) seenEmail.set(email.toLowerCase(), r.line);
    people.push({ id, name, email, department: cell('department'), jobTitle: cell('jobTitle'), ...(joinedOn ? { joinedOn } : {}) });
  }
  return problems.length ? { ok: false, problems } : { ok: true, people };
}

/**
 * A plan as lines for a person to read: who would be added, what changes for whom, who would be marked
 * left. At most `limit` people per section (a trust-scale import adds tens of thousands), then a count.
 */
export function describePlan(plan: RosterChanges, verbs: { add: string; update: string; leave: string; rejoin: string }, limit = 50): string[] {
  const out: string[] = [];
  const more = (n: number) => {
    if (n > limit) out.push(`  … and ${n - limit} more`);
  };
  const who = (p: { name: string; email: string }) => (p.email ? `${p.name} <${p.email}>` : p.name);
  if (plan.added.length) {
    out.push(`${verbs.add} ${plan.added.length}:`);
    for (const p of plan.added.slice(0, limit)) out.push(`  + ${who(p)}: ${p.department}, ${p.jobTitle || 'no job title'}`);
    more(plan.added.length);
  }
  if (plan.updated.length) {
    out.push(`${verbs.update} ${plan.updated.length}:`);
    for (const u of plan.updated.slice(0, limit)) out.push(`  ~ ${who(u.before)}: ${u.fields.map((f) => `${f} "${u.before[f] ?? ''}" → "${u.after[f] ?? ''}"`).join(', ')}`);
    more(plan.updated.length);
  }
  if (plan.rejoined.length) {
    out.push(`${verbs.rejoin} ${plan.rejoined.length} (marked left before, listed again):`);
    for (const r of plan.rejoined.slice(0, limit)) out.push(`  ↺ ${who(r.after)}`);
    more(plan.rejoined.length);
  }
  if (plan.left.length) {
    out.push(`${verbs.leave} ${plan.left.length} (not in the file):`);
    for (const l of plan.left.slice(0, limit)) out.push(`  - ${who(l.before)}`);
    more(plan.left.length);
  }
  out.push(`${plan.unchanged} unchanged.`);
  return out;
}
