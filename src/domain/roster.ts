import type { StaffMember } from './people';

/**
 * Keeping the staff roster in step with the directory (Entra through Graph, or a CSV file). Pure:
 * given what is stored and what the directory says, what changes. Roles are never the directory's
 * business: they are assigned in Countersign (the Settings page), so every write keeps the stored
 * ones and a new person starts with none.
 */

/** Shown, grouped and filtered on where the directory gives a person no department (campaign audience, reports). */
export const NO_DEPARTMENT = 'No department';

/** A person as the directory describes them: everything of a staff record except what Countersign holds itself. */
export interface DirectoryPerson {
  id: string;
  name: string;
  email: string;
  department: string;
  jobTitle: string;
  /** YYYY-MM-DD, when the directory knows it (Graph: employeeHireDate). Absent: keep what is stored. */
  joinedOn?: string;
}

/**
 * What the directory says. `full`: everyone it lists now (a first sync, a full resync, a CSV file).
 * `delta`: only what changed since the last sync (Graph delta queries): people added or changed,
 * and the ids of people no longer listed.
 */
export type RosterInput = { kind: 'full'; people: DirectoryPerson[] } | { kind: 'delta'; upserts: DirectoryPerson[]; removed: string[] };

/** A staff record as the roster writes it: never its roles (RosterWrite in the Store port). */
export type RosterRecord = Omit<StaffMember, 'roles'>;

export type RosterField = 'name' | 'email' | 'department' | 'jobTitle' | 'joinedOn';

export interface RosterChanges {
  /** New to the store. */
  added: RosterRecord[];
  /** Listed before and now, with a directory field changed: the fields that changed. */
  updated: Array<{ before: StaffMember; after: RosterRecord; fields: RosterField[] }>;
  /** No longer listed: marked left today (kept for the records that name them). */
  left: Array<{ before: StaffMember; after: RosterRecord }>;
  /** Marked left before and listed again: the leaving date is cleared (their fields may have changed too). */
  rejoined: Array<{ before: StaffMember; after: RosterRecord; fields: RosterField[] }>;
  /** How many listed people needed no write. */
  unchanged: number;
}

export interface RosterContext {
  /** The school the roster is for: new people belong to it, and only its people can be marked left. */
  schoolId: string;
  /** The school's local date, YYYY-MM-DD: a leaver's leftOn. */
  today: string;
  /**
   * Whether a full roster marks the stored people it does not list as left. A sync of the staff group
   * does (the group is the staff list); a CSV import does only when asked (--full), since a file is
   * often a partial list of additions.
   */
  markUnlistedLeft: boolean;
}

const FIELDS: RosterField[] = ['name', 'email', 'department', 'jobTitle', 'joinedOn'];

/** The directory's values as we store them: trimmed, a blank department shown as "No department". */
export function normalisePerson(p: DirectoryPerson): DirectoryPerson {
  const department = p.department.trim();
  return {
    id: p.id.trim(),
    name: p.name.trim(),
    email: p.email.trim(),
    department: department || NO_DEPARTMENT,
    jobTitle: p.jobTitle.trim(),
    ...(p.joinedOn ? { joinedOn: p.joinedOn } : {}),
  };
}

/** Ids compare without case: Entra object ids are GUIDs, which Graph writes in lower case and people may paste in capitals. */
const key = (id: string) => id.trim().toLowerCase();

const record = (s: StaffMember): RosterRecord => {
  const { roles: _roles, ...rest } = s;
  return rest;
};

function merged(before: StaffMember, p: DirectoryPerson): { after: RosterRecord; fields: RosterField[] } {
  const after: RosterRecord = {
    ...record(before),
    name: p.name,
    email: p.email,
    department: p.department,
    jobTitle: p.jobTitle,
    // A source that does not know the join date leaves the stored one alone.
    ...(p.joinedOn ? { joinedOn: p.joinedOn } : {}),
  };
  delete after.leftOn;
  const fields = FIELDS.filter((f) => (before[f] ?? '') !== (after[f] ?? ''));
  return { after, fields };
}

/**
 * What a roster changes. Each person is written at most once; a person listed twice counts once (the
 * last listing wins, as the directory's latest word). People of another school are never touched:
 * in a trust each school syncs its own roster.
 */
export function planRoster(stored: readonly StaffMember[], input: RosterInput, ctx: RosterContext): RosterChanges {
  const out: RosterChanges = { added: [], updated: [], left: [], rejoined: [], unchanged: 0 };
  const byId = new Map<string, StaffMember>();
  for (const s of stored) if (s.schoolId === ctx.schoolId) byId.set(key(s.id), s);
  const incoming = new Map<string, DirectoryPerson>();
  for (const p of input.kind === 'full' ? input.people : input.upserts) {
    const n = normalisePerson(p);
    if (n.id) incoming.set(key(n.id), n);
  }
  for (const [k, p] of incoming) {
    const before = byId.get(k);
    if (!before) {
      out.added.push({ ...p, schoolId: ctx.schoolId });
      continue;
    }
    const { after, fields } = merged(before, p);
    if (before.leftOn) out.rejoined.push({ before, after, fields });
    else if (fields.length) out.updated.push({ before, after, fields });
    else out.unchanged++;
  }
  const gone =
    input.kind === 'delta'
      ? input.removed.map(key).filter((k) => !incoming.has(k))
      : ctx.markUnlistedLeft
        ? [...byId.keys()].filter((k) => !incoming.has(k))
        : [];
  for (const k of new Set(gone)) {
    const before = byId.get(k);
    if (!before || before.leftOn) continue;
    out.left.push({ before, after: { ...record(before), leftOn: ctx.today } });
  }
  return out;
}

/** Every record a plan writes, in one list (for the store's one write). */
export function rosterWrites(c: RosterChanges): RosterRecord[] {
  return [...c.added, ...c.updated.map((u) => u.after), ...c.rejoined.map((r) => r.after), ...c.left.map((l) => l.after)];
}

/** True when a plan changes nothing. */
export const isEmptyPlan = (c: RosterChanges): boolean => !c.added.length && !c.updated.length && !c.left.length && !c.rejoined.length;

/** A plan in a few words, for a log line or the import's summary: "3 added, 1 updated, 2 left, 0 rejoined, 120 unchanged". */
export function planSummary(c: RosterChanges): string {
  return `${c.added.length} added, ${c.updated.length} updated, ${c.left.length} left, ${c.rejoined.length} rejoined, ${c.unchanged} unchanged`;
}
