import type { Job } from '../../ports/job-queue';
import type { AuditEntry, DecisionRecord, RegisteredAccount, RequestChange } from '../../ports/store';
import { json, str, toDateTime, type Fields } from './fields';
import { decisionText } from '../../domain/audit-chain';
import { nodeHasher } from '../node-crypto';

/**
 * The side records of one request change, carried by the request item itself
 * (PendingEffects, a multi-line text column) from the guarded write that makes
 * the change until they exist as items of their own.
 *
 * Why: a `$batch` is not a transaction. If the request update lands and a later
 * step fails, only what the request item holds survives. So the one write that
 * must win (the If-Match update) carries everything the change implies, and
 * writing the side records is a replay that cannot double anything: every
 * record and job has a unique key column (DecisionId, AuditId, AccountId,
 * JobId/JobKey), so a second POST is a 409 and changes nothing.
 */
export interface PendingChange {
  /** The change id (the audit entry's id), also the item's LastChangeId. */
  changeId: string;
  /** The request's reference, for the decision record's columns. */
  reference: string;
  decision?: DecisionRecord;
  audit: AuditEntry;
  account?: RegisteredAccount;
  jobs: Job[];
}

/** SharePoint's multiple lines of text limit (support.microsoft.com, "List and library column types and options"). */
const NOTE_MAX = 63_999;

export function pendingOf(change: RequestChange): PendingChange {
  // A decision is linked into the audit chain by its hash, taken now from the record as it will be stored.
  const audit = change.decision ? { ...change.audit, record: { kind: 'decision' as const, id: change.decision.id, hash: nodeHasher.sha256(decisionText(change.decision)) } } : change.audit;
  const p: PendingChange = { changeId: change.audit.id, reference: change.request.reference, audit, jobs: change.jobs ?? [] };
  if (change.decision) p.decision = change.decision;
  if (change.account) p.account = change.account;
  return p;
}

/** The two columns a change writes with the request. Refuses, before anything is written, effects that would not fit. */
export function pendingFields(p: PendingChange): Fields {
  const text = JSON.stringify(p);
  if (text.length > NOTE_MAX) throw new RangeError(`the effects of change ${p.changeId} are ${text.length} characters, more than a SharePoint multi-line column holds (${NOTE_MAX})`);
  return { PendingEffects: text, PendingSince: toDateTime(p.audit.at) };
}

/** What clears them once every record exists. */
export const clearedFields = (): Fields => ({ PendingEffects: null, PendingSince: null });

/** The change an item still carries, or undefined when all its effects are written. */
export function pendingIn(fields: Fields): PendingChange | undefined {
  if (!str(fields.PendingEffects)) return undefined;
  return json<PendingChange>(fields.PendingEffects, undefined as unknown as PendingChange);
}

/**
 * The eTag an item will have after one more update, when its form is known.
 * A SharePoint listItem eTag reads `"{unique id},{version}"` (the examples in
 * learn.microsoft.com/graph/api/listitem-get), and an update adds one to the
 * version. That is observed behaviour, not a documented contract, so it is only
 * a guess that saves a round trip: the clearing write sends it with If-Match, a
 * wrong guess is a 412 that changes nothing, and the store then clears with
 * the eTag the update answered with.
 */
export function nextETag(eTag: string): string | undefined {
  const m = /^(W\/)?"(.+),(\d+)"$/.exec(eTag.trim());
  return m ? `"${m[2]},${Number(m[3]) + 1}"` : undefined;
}
