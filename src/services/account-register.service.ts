import { accountPermissions, accountRefusal, type AccountAction } from '../domain/account-permissions';
import { accountReviewDate, accountWarnings, confirmGoLive, handOver, listedPeople, type AccountWarning } from '../domain/account-register';
import type { RegisteredAccount } from '../domain/account-request';
import { ConflictError, domainError, ErrorCodes, type DomainError } from '../domain/errors';
import type { Actor, StaffMember } from '../domain/people';
import type { Viewer } from '../domain/request-permissions';
import { err, ok, type Result } from '../domain/result';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { IdSource } from '../ports/ids';
import type { Store, Versioned } from '../ports/store';
import { findStaff } from './staff-search';

export interface AccountRegisterDeps {
  store: Store;
  directory: Directory;
  clock: Clock;
  ids: IdSource;
  /** The school's local date for a moment, YYYY-MM-DD. */
  localDate: (d: Date) => string;
}

/** One account as the register shows it to one viewer. */
export interface AccountEntry {
  account: RegisteredAccount;
  /** What a change to the account must present; a stale one is refused (409). */
  etag: string;
  /** Derived: the record holds none (accountReviewDate). */
  reviewDate: string;
  warnings: AccountWarning[];
  /** Ids of listed people the directory no longer knows. */
  left: string[];
  may: Record<AccountAction, boolean>;
}

export interface RegisterQuery {
  /** Words that must all appear (case-insensitive). */
  search?: string;
  /** Only accounts with at least one warning. */
  needsAttention?: boolean;
  /** Only accounts this person administers. */
  administeredBy?: string;
  /** The [approvedAt, id] of the last account of the page before. */
  after?: readonly [string, string];
  limit: number;
}

export interface ConfirmInput {
  accountId: string;
  etag: string;
  liveOn: string;
  networkManagerName: string;
}

export interface HandoverInput {
  accountId: string;
  etag: string;
  fromId: string;
  toId: string;
}

const notFound = () => domainError(ErrorCodes.ACCOUNT_NOT_FOUND, 'There is no such account in the register.');
const stale = () => domainError(ErrorCodes.STORE_CONFLICT, 'Someone changed this account since you opened it. Reload it and try again.');

/** Use cases of the account register: list it with warnings, confirm go-live, hand an account over. */
export class AccountRegisterService {
  constructor(private readonly d: AccountRegisterDeps) {}

  private today() {
    return this.d.localDate(this.d.clock.now());
  }

  /** Of these people, who the directory no longer knows. One lookup each; the directory caches them. */
  private async whoLeft(ids: string[]): Promise<Set<string>> {
    const found = await Promise.all(ids.map(async (id) => [id, await this.d.directory.getStaff(id)] as const));
    return new Set(found.filter(([, s]) => !s).map(([id]) => id));
  }

  private entry(v: Versioned<RegisteredAccount>, viewer: Viewer, left: Set<string>, today: string): AccountEntry {
    const a = v.value;
    return {
      account: a,
      etag: v.etag,
      reviewDate: accountReviewDate(a),
      warnings: accountWarnings(a, today, left),
      left: listedPeople(a).filter((id) => left.has(id)),
      may: accountPermissions(a, viewer),
    };
  }

  /**
   * One page of the register in approval order (approvedAt, then id), after `after`, with the
   * accounts that match: words in the platform, address, reference, department or a listed person's
   * name; only those with a warning; only those `viewer` administers. The register is read whole and
   * filtered here: a school holds tens of accounts and a trust a few thousand (one Graph page holds
   * 5,000 items), and the warnings depend on today and on who is still on the staff, which no store
   * index can hold. People are looked up only for the rows examined, and the directory caches them.
   */
  async page(viewer: Viewer, q: RegisterQuery): Promise<{ items: AccountEntry[]; next?: readonly [string, string]; total: number }> {
    const words = (q.search ?? '').trim().toLowerCase().split(/\s+/).filter(Boolean);
    const matching = (await this.d.store.listAccountVersions())
      .filter(({ value: a }) => (!q.administeredBy || a.administrators.some((p) => p.id === q.administeredBy)) && words.every((w) => searchText(a).includes(w)))
      .sort((x, y) => (keyOf(x.value) < keyOf(y.value) ? -1 : 1));
    const from = q.after ? keyOf({ approvedAt: q.after[0], id: q.after[1] }) : '';
    const today = this.today();
    const items: AccountEntry[] = [];
    let total = 0;
    let more = false;
    for (const v of matching) {
      const wanted = keyOf(v.value) > from;
      // Only a row that will be shown, or whose warnings are the filter, needs the directory.
      if (q.needsAttention || (wanted && items.length < q.limit)) {
        const e = this.entry(v, viewer, await this.whoLeft(listedPeople(v.value)), today);
        if (q.needsAttention && !e.warnings.length) continue;
        if (wanted && items.length < q.limit) items.push(e);
        else if (wanted) more = true;
      } else if (wanted) more = true;
      total++;
    }
    const last = items.at(-1)?.account;
    return { items, ...(more && last ? { next: [last.approvedAt, last.id] as const } : {}), total };
  }

  async get(viewer: Viewer, accountId: string): Promise<Result<AccountEntry, DomainError>> {
    const v = await this.d.store.getAccount(accountId);
    if (!v) return err(notFound());
    return ok(this.entry(v, viewer, await this.whoLeft(listedPeople(v.value)), this.today()));
  }

  /** An administrator confirms the account went live and that the network manager holds its login. */
  async confirm(actor: Actor, viewer: Viewer, input: ConfirmInput): Promise<Result<AccountEntry, DomainError>> {
    return this.change(actor, viewer, input, 'confirm', 'account.confirm', (a) =>
      confirmGoLive(a, { liveOn: input.liveOn, networkManagerName: input.networkManagerName, at: this.d.clock.now().toISOString() }, actor),
    );
  }

  /** Replaces an administrator who leaves by another member of staff from the directory. */
  async handover(actor: Actor, viewer: Viewer, input: HandoverInput): Promise<Result<AccountEntry, DomainError>> {
    const to = await this.d.directory.getStaff(input.toId);
    if (!to) return err(domainError(ErrorCodes.ACCOUNT_INVALID, 'No one with this id is on the staff list.', { fields: { toId: 'Choose a member of staff from the list.' } }));
    return this.change(actor, viewer, input, 'handover', 'account.handover', async (a) => handOver(a, { fromId: input.fromId, to: { id: to.id, name: to.name } }, await this.whoLeft(listedPeople(a))));
  }

  /**
   * Reloads the account, checks the actor may, refuses an etag other than the
   * stored one (the person saw an older version), applies the pure change and
   * saves it guarded by that etag with its audit entry; a write that lands
   * between our read and our save is a ConflictError, answered the same way.
   */
  private async change(
    actor: Actor,
    viewer: Viewer,
    input: { accountId: string; etag: string },
    action: AccountAction,
    auditAction: string,
    apply: (a: RegisteredAccount) => Result<RegisteredAccount, DomainError> | Promise<Result<RegisteredAccount, DomainError>>,
  ): Promise<Result<AccountEntry, DomainError>> {
    const v = await this.d.store.getAccount(input.accountId);
    if (!v) return err(notFound());
    const refusal = accountRefusal(v.value, viewer, action);
    if (refusal) return err(refusal);
    if (v.etag !== input.etag) return err(stale());
    const next = await apply(v.value);
    if (!next.ok) return next;
    const at = this.d.clock.now().toISOString();
    try {
      const saved = await this.d.store.saveAccountChange({
        account: next.value,
        expectedEtag: v.etag,
        audit: {
          id: this.d.ids.next(),
          schoolId: v.value.schoolId,
          entityType: 'account',
          entityId: v.value.id,
          actorId: actor.id,
          actorName: actor.name,
          action: auditAction,
          at,
          before: JSON.stringify({ administrators: v.value.administrators, confirmation: v.value.confirmation ?? null }),
          after: JSON.stringify({ administrators: next.value.administrators, confirmation: next.value.confirmation ?? null }),
        },
      });
      return ok(this.entry(saved, viewer, await this.whoLeft(listedPeople(saved.value)), this.today()));
    } catch (e) {
      if (e instanceof ConflictError) return err(stale());
      throw e;
    }
  }

  /** Current staff whose name or e-mail contains the words of `q`, for choosing a new administrator; at most `limit`. */
  findStaff(q: string, limit = 20): Promise<StaffMember[]> {
    return findStaff(this.d.directory, q, limit);
  }
}

/** The register's order: approval time, then id (two accounts approved in one second stay apart). */
const keyOf = (a: { approvedAt: string; id: string }) => `${a.approvedAt}\u0000${a.id}`;

const searchText = (a: RegisteredAccount) =>
  [a.platform, a.host, a.reference, a.department, a.ownerName, ...a.administrators.map((p) => p.name), ...a.moderators.map((p) => p.name)].join(' ').toLowerCase();
