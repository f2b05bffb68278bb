import type { GoLiveConfirmation, NamedStaff, RegisteredAccount } from './account-request';
import { domainError, ErrorCodes, type DomainError } from './errors';
import { passwordRefusal } from './no-secrets';
import type { Actor } from './people';
import { err, ok, type Result } from './result';

/**
 * The account register's rules: when an account is due for review, what is
 * wrong with it (warnings), and the two changes people make to it (go-live
 * confirmation, administrator handover). Pure: "today" and who has left are
 * passed in.
 */

const DAY = 86_400_000;

/** Accounts need two administrators and two moderators at all times (the approval form's rule). */
export const MIN_ADMINISTRATORS = 2;
export const MIN_MODERATORS = 2;
/** A closure or review date this close (or past) is a warning. */
export const WARN_WITHIN_DAYS = 30;

/**
 * The account's annual review date. The record holds none: the first review
 * is the one accountReminders (request-effects.ts) books a year after final
 * approval, so the register shows that same day (the UTC date of approval + 365 days).
 */
export function accountReviewDate(a: Pick<RegisteredAccount, 'approvedAt'>): string {
  const t = Date.parse(a.approvedAt);
  return Number.isNaN(t) ? '' : new Date(t + 365 * DAY).toISOString().slice(0, 10);
}

export type AccountWarningKind = 'staffLeft' | 'fewAdministrators' | 'fewModerators' | 'closureSoon' | 'closurePast' | 'reviewSoon' | 'reviewPast';

export interface AccountWarning {
  kind: AccountWarningKind;
  message: string;
}

/** Whole days from `today` to `day` (both YYYY-MM-DD); negative when past. */
export function daysUntil(day: string, today: string): number {
  return Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY);
}

/**
 * The people listed who are still on the staff list. `left` holds the ids of
 * listed people the directory no longer knows; a listed person without an id
 * (typed by name) cannot be checked, so counts as present.
 */
export function remaining(people: readonly NamedStaff[], left: ReadonlySet<string>): NamedStaff[] {
  const seen = new Set<string>();
  return people.filter((p) => {
    const key = p.id || `name:${p.name.trim().toLowerCase()}`;
    if (seen.has(key) || (p.id && left.has(p.id))) return false;
    seen.add(key);
    return true;
  });
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function dateWarning(day: string, today: string, what: 'closure' | 'review'): AccountWarning | undefined {
  if (!day) return undefined;
  const d = daysUntil(day, today);
  if (d > WARN_WITHIN_DAYS) return undefined;
  const label = what === 'closure' ? 'Closure date' : 'Annual review';
  if (d < 0) return { kind: what === 'closure' ? 'closurePast' : 'reviewPast', message: `${label} passed ${plural(-d, 'day', 'days')} ago.` };
  return { kind: what === 'closure' ? 'closureSoon' : 'reviewSoon', message: d === 0 ? `${label} is today.` : `${label} is in ${plural(d, 'day', 'days')}.` };
}

/**
 * What needs attention on an account, most serious first: fewer than two
 * administrators or moderators remain (people who have left do not count),
 * and a closure or review date within 30 days or past. `today` is the
 * school's local date.
 */
export function accountWarnings(a: RegisteredAccount, today: string, left: ReadonlySet<string> = new Set()): AccountWarning[] {
  const out: AccountWarning[] = [];
  const handover = leaversWarning(a, left);
  if (handover) out.push(handover);
  const admins = remaining(a.administrators, left).length;
  const mods = remaining(a.moderators, left).length;
  if (admins < MIN_ADMINISTRATORS) out.push({ kind: 'fewAdministrators', message: `Only ${plural(admins, 'administrator remains', 'administrators remain')}; an account needs ${MIN_ADMINISTRATORS}.` });
  if (mods < MIN_MODERATORS) out.push({ kind: 'fewModerators', message: `Only ${plural(mods, 'moderator remains', 'moderators remain')}; an account needs ${MIN_MODERATORS}.` });
  const closure = dateWarning(a.closure, today, 'closure');
  if (closure) out.push(closure);
  const review = dateWarning(accountReviewDate(a), today, 'review');
  if (review) out.push(review);
  return out;
}

/**
 * The handover warning: the account's administrators and moderators who have left the school (the
 * directory sync marked them left), by name, so whoever keeps the register knows whose part to hand over.
 */
function leaversWarning(a: RegisteredAccount, left: ReadonlySet<string>): AccountWarning | undefined {
  const gone = (people: readonly NamedStaff[], part: string) => people.filter((p) => p.id && left.has(p.id)).map((p) => `${p.name} (${part})`);
  const names = [...new Set([...gone(a.administrators, 'administrator'), ...gone(a.moderators, 'moderator')])];
  if (!names.length) return undefined;
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return { kind: 'staffLeft', message: `${list} ${names.length === 1 ? 'has' : 'have'} left the school: hand ${names.length === 1 ? 'their part' : 'their parts'} over to someone who is staying.` };
}

/** Every listed person's id, for asking the directory who has left. */
export const listedPeople = (a: RegisteredAccount): string[] => [...new Set([...a.administrators, ...a.moderators].map((p) => p.id).filter(Boolean))];

// ----- changes -----

export interface ConfirmGoLive {
  liveOn: string;
  /** Who holds the login: a name (or a role), never the login itself. */
  networkManagerName: string;
  at: string;
}

/** The go-live confirmation's fields as people see them: a date, two ticks, and where the login is held. */
export const GO_LIVE_FIELD_LABELS = {
  liveOn: 'Went live on',
  live: 'The account is live',
  loginHeldByNetworkManager: 'The login is held by the network manager',
  networkManagerName: 'Who holds the login (the network manager’s name)',
} as const;

/** The account with its go-live confirmed by `actor`. Who may do it is account-permissions.ts's answer, checked before. */
export function confirmGoLive(a: RegisteredAccount, input: ConfirmGoLive, actor: Actor): Result<RegisteredAccount, DomainError> {
  const name = input.networkManagerName.trim();
  if (!name) return err(domainError(ErrorCodes.ACCOUNT_INVALID, 'Give the name of the network manager who holds the login.', { fields: { networkManagerName: 'Give the name of the network manager who holds the login.' } }));
  // Where the login is held, never the login: a password-shaped value is refused before anything is stored.
  const refusal = passwordRefusal(GO_LIVE_FIELD_LABELS.networkManagerName, name);
  if (refusal) return err(domainError(ErrorCodes.ACCOUNT_INVALID, refusal, { fields: { networkManagerName: refusal } }));
  if (a.closure && input.liveOn > a.closure) {
    return err(domainError(ErrorCodes.ACCOUNT_INVALID, 'The go-live date cannot be after the closure date.', { fields: { liveOn: `The account closes on ${a.closure}; it cannot go live after that.` } }));
  }
  const confirmation: GoLiveConfirmation = { liveOn: input.liveOn, networkManagerName: name, byId: actor.id, byName: actor.name, at: input.at };
  return ok({ ...a, confirmation });
}

export interface Handover {
  /** The administrator leaving. */
  fromId: string;
  /** Their replacement, from the directory. */
  to: NamedStaff;
}

/**
 * One administrator replaced by another member of staff, in the same place
 * on the list: a replacement, never a removal, so the account keeps its
 * number of administrators (at least two). Refused when the one leaving is
 * not an administrator, the replacement already is one or has left, or the
 * list would hold fewer than two distinct people. A handover that leaves the
 * account still short (others have left too) is allowed: it is a step towards
 * two, and the warning stays until the rest are replaced.
 */
export function handOver(a: RegisteredAccount, h: Handover, left: ReadonlySet<string> = new Set()): Result<RegisteredAccount, DomainError> {
  const i = a.administrators.findIndex((p) => p.id === h.fromId);
  if (i < 0) return err(domainError(ErrorCodes.ACCOUNT_INVALID, 'That person is not an administrator of this account.', { fields: { fromId: 'Choose one of the account’s administrators.' } }));
  if (a.administrators.some((p) => p.id === h.to.id)) {
    return err(domainError(ErrorCodes.ACCOUNT_INVALID, `${h.to.name} is already an administrator of this account.`, { fields: { toId: `${h.to.name} is already an administrator; choose someone else.` } }));
  }
  if (left.has(h.to.id)) return err(domainError(ErrorCodes.ACCOUNT_INVALID, `${h.to.name} is no longer on the staff list.`, { fields: { toId: 'Choose a current member of staff.' } }));
  const administrators = a.administrators.map((p, k) => (k === i ? { id: h.to.id, name: h.to.name } : p));
  const listed = remaining(administrators, new Set()).length;
  if (listed < MIN_ADMINISTRATORS) {
    return err(domainError(ErrorCodes.ACCOUNT_INVALID, `An account needs ${MIN_ADMINISTRATORS} administrators; this one would have ${listed}.`, { fields: { fromId: `An account needs ${MIN_ADMINISTRATORS} administrators.` } }));
  }
  return ok({ ...a, administrators });
}
