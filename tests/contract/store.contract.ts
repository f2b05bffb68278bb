/**
 * The store contract: one suite, run against every Store adapter (SQLite and
 * SharePoint). It describes the ports' behaviour, eTag conflicts included, so
 * that an adapter passing it can replace another.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountRequest, ApprovalStep, Decision } from '../../src/domain/account-request';
import { registerAccount } from '../../src/domain/account-request';
import type { Campaign } from '../../src/domain/campaign';
import type { Declaration } from '../../src/domain/declaration.workflow';
import { ConflictError } from '../../src/domain/errors';
import type { StaffMember } from '../../src/domain/people';
import type { Policy, PolicyVersion } from '../../src/domain/policy';
import { newRecipient, type Recipient } from '../../src/domain/recipient.workflow';
import type { CampaignStore } from '../../src/ports/campaign-store';
import type { Job, JobQueue } from '../../src/ports/job-queue';
import type { PolicyStore } from '../../src/ports/policy-store';
import type { AuditEntry, DecisionRecord, RegisteredAccount, Store } from '../../src/ports/store';

export interface StorePorts {
  store: Store;
  policies: PolicyStore;
  campaigns: CampaignStore;
  jobs: JobQueue;
}

export interface StoreUnderTest extends StorePorts {
  /** A second app instance on the same records (another process, another server). */
  another(): Promise<StorePorts>;
  /** Releases everything; may also assert adapter-specific rules (e.g. no query broke the threshold). */
  cleanup(): Promise<void>;
  /**
   * Makes writing a change's records fail after the change itself is saved, until `mend`: on SharePoint,
   * every record POST inside a batch fails. SQLite has no such moment (one transaction), so it has none.
   */
  breakEffects?: () => { mend(): void };
}

// Timestamps are whole seconds: SharePoint keeps dateTime to the second.
const T0 = Date.parse('2025-09-01T08:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

// ----- builders -----

/** The school the fixtures belong to; the school tests use another, so a default could not pass for a stored value. */
export const SCHOOL = 'larkfield';

const ict = { id: 'u-ict', name: 'Ian Price' };
const head = { id: 'u-head', name: 'Hana Osei' };

export function makeRequest(id: string, requester: { id: string; name: string }, minute: number, extra: Partial<AccountRequest> = {}): AccountRequest {
  const steps: ApprovalStep[] = [
    { role: 'ictLeader', approverId: ict.id, approverName: ict.name, delegated: false },
    { role: 'headTeacher', approverId: head.id, approverName: head.name, delegated: false },
  ];
  return {
    id,
    schoolId: SCHOOL,
    reference: `CS-${id}`,
    requesterId: requester.id,
    requesterName: requester.name,
    details: {
      department: 'Science',
      siteModerator: 'Mo Reid',
      aims: 'Share experiments with families.\nWeekly.',
      content: 'Photos of practical work, without faces.',
      audience: ['families', 'staff'],
      audienceDetails: '',
      contributors: ['staff'],
      contributorsDetails: 'Only the science team',
      administrators: [
        { id: 'u-a1', name: 'Ada One' },
        { id: '', name: "Bea O'Two" },
      ],
      moderators: [
        { id: 'u-m1', name: 'Max Mod' },
        { id: 'u-m2', name: 'Min Mod' },
      ],
      vetterName: 'Val Vetter',
      vetterRole: 'Head of Science',
      platform: 'Instagram',
      host: 'The school',
      goLive: '2025-10-01',
      closure: '',
      advertising: 'Newsletter',
      parentalConsent: 'Photo consent forms',
      security: 'Two-factor sign-in',
      visibility: 'private',
      promotion: 'Assemblies',
      successMeasures: 'Follower feedback',
    },
    status: 'pending',
    steps,
    currentStep: 0,
    round: 1,
    createdAt: at(minute),
    updatedAt: at(minute),
    ...extra,
  };
}

export function makeAudit(id: string, entityId: string, action: string, minute: number, after: unknown = null, entityType: AuditEntry['entityType'] = 'request'): AuditEntry {
  return { id, schoolId: SCHOOL, entityType, entityId, actorId: 'u-actor', actorName: 'Actor', action, at: at(minute), before: null, after: after === null ? null : JSON.stringify(after) };
}

/** The request after the current approver decides. */
export function decide(r: AccountRequest, outcome: Decision['outcome'], who: { id: string; name: string }, minute: number): { next: AccountRequest; decision: DecisionRecord } {
  const decision: Decision = { outcome, actorId: who.id, actorName: who.name, signature: who.name, comment: `${outcome} by ${who.name}`, at: at(minute) };
  const steps = r.steps.map((s, i) => (i === r.currentStep ? { ...s, decision } : s));
  const last = r.currentStep === r.steps.length - 1;
  const next: AccountRequest = {
    ...r,
    steps,
    status: outcome === 'approved' ? (last ? 'approved' : 'pending') : outcome === 'rejected' ? 'rejected' : 'returned',
    currentStep: outcome === 'approved' && !last ? r.currentStep + 1 : r.currentStep,
    updatedAt: at(minute),
  };
  const record: DecisionRecord = { ...decision, id: `d-${r.id}-${r.round}-${r.currentStep}-${who.id}`, schoolId: r.schoolId, requestId: r.id, round: r.round, step: r.currentStep, role: r.steps[r.currentStep]!.role };
  return { next, decision: record };
}

function makeAccount(r: AccountRequest, minute: number): RegisteredAccount {
  // A fixed closure date, so the stored date round-trips whatever the request fixture holds.
  return { ...registerAccount(r, `acc-${r.id}`, at(minute)), closure: '2026-07-20' };
}

export const staffMember = (id: string, name: string, department = 'Maths', roles: StaffMember['roles'] = []): StaffMember => ({
  id,
  schoolId: SCHOOL,
  name,
  email: `${id}@larkfield.example`,
  department,
  jobTitle: 'Teacher',
  roles,
});

const policy: Policy = { id: 'pol-aup', schoolId: SCHOOL, name: 'Acceptable use of ICT and social media' };

export function makeVersion(id: string, label: string, effectiveDate: string, minute: number, extra: Partial<PolicyVersion> = {}): PolicyVersion {
  return {
    id,
    schoolId: SCHOOL,
    policyId: policy.id,
    title: 'Acceptable use policy',
    versionLabel: label,
    effectiveDate,
    reviewDate: '2026-08-31',
    documentUrl: `https://larkfield.example/policies/${id}.pdf`,
    summary: 'How we use school systems and social media.',
    statements: ['I will keep my password private.', 'I will report anything that worries me, straight away.'],
    requireOpenBeforeSign: true,
    publishedAt: at(minute),
    contentHash: `hash-${id}`,
    ...extra,
  };
}

export function makeDeclaration(id: string, signer: { id: string; name: string }, version: PolicyVersion, minute: number, campaignId: string | null = null): Declaration {
  return {
    id,
    schoolId: version.schoolId,
    signerId: signer.id,
    signerName: signer.name,
    typedName: signer.name,
    versionId: version.id,
    policyId: version.policyId,
    versionLabel: version.versionLabel,
    contentHash: version.contentHash,
    campaignId,
    signedAt: at(minute),
  };
}

export function makeCampaign(id: string, versionId: string, minute: number): Campaign {
  return {
    id,
    schoolId: SCHOOL,
    policyId: policy.id,
    versionId,
    versionLabel: '2025',
    title: 'Annual acknowledgement',
    audience: { kind: 'roster' },
    deadline: '2025-09-30',
    reminderEveryDays: 7,
    launchedBy: 'u-admin',
    launchedByName: 'Ada Admin',
    launchedAt: at(minute),
  };
}

const people = (n: number, prefix = 'p', departments = ['Maths', 'Science', 'English']) =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${String(i).padStart(3, '0')}`, name: `Person ${prefix}${i}`, department: departments[i % departments.length]! }));

const recipientsOf = (campaignId: string, ps: Array<{ id: string; name: string; department: string }>, minute = 0): Recipient[] => ps.map((p) => newRecipient(campaignId, p, at(minute), SCHOOL));

const sendJob = (campaignId: string, userId: string, minute = 0): Job => ({
  id: `job-send-${campaignId}-${userId}`,
  schoolId: SCHOOL,
  kind: 'campaign.send',
  key: `send:${campaignId}:${userId}`,
  payload: { campaignId, userId },
  runAt: at(minute),
  attempts: 0,
});

const job = (id: string, runAtMinute: number, extra: Partial<Job> = {}): Job => ({ id, schoolId: SCHOOL, kind: 'test.kind', key: `key-${id}`, payload: { n: id, nested: { ok: true } }, runAt: at(runAtMinute), attempts: 0, ...extra });

const byStateDept = (a: { state: string; department: string }, b: { state: string; department: string }) => (a.state + a.department < b.state + b.department ? -1 : 1);

async function conflictOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

// ----- the suite -----

/** Registers the contract tests. `make` returns fresh, empty stores for each test. */
export function storeContract(make: () => Promise<StoreUnderTest>): void {
  let current: StoreUnderTest | undefined;
  const fresh = async () => (current = await make());
  afterEach(async () => {
    const c = current;
    current = undefined;
    await c?.cleanup();
  });

  describe('requests', () => {
    it('issues increasing, unique references, also when asked at once', async () => {
      const { store } = await fresh();
      expect(await store.nextReference()).toBe('CS-0001');
      expect(await store.nextReference()).toBe('CS-0002');
      const many = await Promise.all(Array.from({ length: 6 }, () => store.nextReference()));
      expect(new Set(many).size).toBe(6);
      expect([...many].sort()).toEqual(['CS-0003', 'CS-0004', 'CS-0005', 'CS-0006', 'CS-0007', 'CS-0008']);
    });

    it('creates and reads a request with its etag; an unknown id is undefined', async () => {
      const { store } = await fresh();
      const r = makeRequest('r1', { id: 'u-req', name: 'Rae Quest' }, 0);
      const saved = await store.saveRequestChange({ request: r, audit: makeAudit('a1', r.id, 'request.submit', 0, r) });
      expect(saved.value).toEqual(r);
      const got = await store.getRequest('r1');
      expect(got).toEqual({ value: r, etag: saved.etag });
      expect(await store.getRequest('nope')).toBeUndefined();
    });

    it('updates with the current etag and refuses a stale one with ConflictError', async () => {
      const { store } = await fresh();
      const r = makeRequest('r1', { id: 'u-req', name: 'Rae Quest' }, 0);
      const v1 = await store.saveRequestChange({ request: r, audit: makeAudit('a1', r.id, 'request.submit', 0) });
      const { next, decision } = decide(r, 'approved', ict, 5);
      const v2 = await store.saveRequestChange({ request: next, expectedEtag: v1.etag, decision, audit: makeAudit('a2', r.id, 'approval.approve', 5) });
      expect(v2.etag).not.toBe(v1.etag);
      expect(await store.getRequest('r1')).toEqual({ value: next, etag: v2.etag });

      const stale = decide(r, 'rejected', ict, 6);
      const e = await conflictOf(store.saveRequestChange({ request: stale.next, expectedEtag: v1.etag, decision: stale.decision, audit: makeAudit('a3', r.id, 'approval.reject', 6) }));
      expect(e).toBeInstanceOf(ConflictError);
      expect((e as ConflictError).code).toBe('STORE.CONFLICT');
      expect((await store.getRequest('r1'))!.value).toEqual(next);
      // The loser's decision and audit entry were never written.
      expect((await store.listDecisions('r1')).map((d) => d.id)).toEqual([decision.id]);
      expect((await store.listAudit('r1')).map((a) => a.id)).toEqual(['a1', 'a2']);
    });

    it('of two concurrent decisions with the same etag, exactly one wins', async () => {
      const { store } = await fresh();
      const r = makeRequest('r1', { id: 'u-req', name: 'Rae Quest' }, 0);
      const v1 = await store.saveRequestChange({ request: r, audit: makeAudit('a1', r.id, 'request.submit', 0) });
      const approve = decide(r, 'approved', ict, 5);
      const reject = decide(r, 'rejected', { id: 'u-deputy', name: 'Dee Puty' }, 5);
      const results = await Promise.allSettled([
        store.saveRequestChange({ request: approve.next, expectedEtag: v1.etag, decision: approve.decision, audit: makeAudit('a-approve', r.id, 'approval.approve', 5) }),
        store.saveRequestChange({ request: reject.next, expectedEtag: v1.etag, decision: reject.decision, audit: makeAudit('a-reject', r.id, 'approval.reject', 5) }),
      ]);
      const won = results.filter((x) => x.status === 'fulfilled');
      const lost = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(ConflictError);
      const winner = results[0]!.status === 'fulfilled' ? approve : reject;
      expect((await store.getRequest('r1'))!.value).toEqual(winner.next);
      expect(await store.listDecisions('r1')).toEqual([winner.decision]);
      expect((await store.listAudit('r1')).map((a) => a.id)).toEqual(['a1', winner === approve ? 'a-approve' : 'a-reject']);
    });

    it('lists a requester’s requests newest first, and what awaits an approver oldest first', async () => {
      const { store } = await fresh();
      const rae = { id: 'u-req', name: 'Rae Quest' };
      const sam = { id: 'u-sam', name: 'Sam Other' };
      const saved = new Map<string, string>();
      for (const [id, who, minute] of [['r1', rae, 1], ['r2', sam, 2], ['r3', rae, 3], ['r4', rae, 4]] as const) {
        const r = makeRequest(id, who, minute);
        saved.set(id, (await store.saveRequestChange({ request: r, audit: makeAudit(`a-${id}`, id, 'request.submit', minute) })).etag);
      }
      expect((await store.listRequestsByRequester(rae.id)).map((r) => r.id)).toEqual(['r4', 'r3', 'r1']);
      expect((await store.listRequestsByRequester('u-nobody'))).toEqual([]);
      expect((await store.listRequestsAwaiting(ict.id)).map((r) => r.id)).toEqual(['r1', 'r2', 'r3', 'r4']);
      expect(await store.listRequestsAwaiting(head.id)).toEqual([]);

      // r3 moves on to the head teacher; r1 is rejected and awaits nobody.
      const r3 = decide(makeRequest('r3', rae, 3), 'approved', ict, 10);
      await store.saveRequestChange({ request: r3.next, expectedEtag: saved.get('r3'), decision: r3.decision, audit: makeAudit('a-r3-2', 'r3', 'approval.approve', 10) });
      const r1 = decide(makeRequest('r1', rae, 1), 'rejected', ict, 11);
      await store.saveRequestChange({ request: r1.next, expectedEtag: saved.get('r1'), decision: r1.decision, audit: makeAudit('a-r1-2', 'r1', 'approval.reject', 11) });
      expect((await store.listRequestsAwaiting(ict.id)).map((r) => r.id)).toEqual(['r2', 'r4']);
      expect((await store.listRequestsAwaiting(head.id)).map((r) => r.id)).toEqual(['r3']);
      expect((await store.listRequestsByRequester(rae.id)).find((r) => r.id === 'r1')!.status).toBe('rejected');
    });

    it('pages a school’s requests newest first, filtered by status, dates and search, with no request lost or repeated', async () => {
      const { store } = await fresh();
      const rae = { id: 'u-req', name: 'Rae Quest' };
      const sam = { id: 'u-sam', name: 'Sam Other' };
      // 7 requests: r1..r5 in distinct minutes, r6 and r7 at the same second as r5 (SharePoint keeps seconds);
      // rx belongs to another school and never shows.
      const made = [
        makeRequest('r1', rae, 1),
        makeRequest('r2', sam, 2, { details: { ...makeRequest('x', rae, 0).details, platform: 'YouTube', department: 'Music' } }),
        makeRequest('r3', rae, 3),
        makeRequest('r4', sam, 4),
        makeRequest('r5', rae, 5),
        makeRequest('r6', sam, 5),
        makeRequest('r7', rae, 5),
        makeRequest('rx', rae, 6, { schoolId: 'elsewhere' }),
      ];
      const etags = new Map<string, string>();
      for (const r of made) etags.set(r.id, (await store.saveRequestChange({ request: r, audit: { ...makeAudit(`a-${r.id}`, r.id, 'request.submit', 0), schoolId: r.schoolId } })).etag);
      const r3 = decide(made[2]!, 'rejected', ict, 10);
      await store.saveRequestChange({ request: r3.next, expectedEtag: etags.get('r3'), decision: r3.decision, audit: makeAudit('a-r3-2', 'r3', 'approval.reject', 10) });

      const all = async (q: Omit<Parameters<Store['listRequestsPage']>[0], 'schoolId' | 'limit' | 'after'>, limit: number) => {
        const ids: string[] = [];
        let after;
        for (let pages = 0; pages < 20; pages++) {
          const page = await store.listRequestsPage({ schoolId: SCHOOL, limit, after, ...q });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          ids.push(...page.items.map((r) => r.id));
          if (!page.next) return ids;
          after = page.next;
        }
        throw new Error('never ended');
      };
      expect(await all({}, 25)).toEqual(['r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
      // Pages of 2 split the three requests of the same second: none lost, none twice.
      expect(await all({}, 2)).toEqual(['r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
      const first = await store.listRequestsPage({ schoolId: SCHOOL, limit: 3 });
      expect(first.items.map((r) => r.id)).toEqual(['r7', 'r6', 'r5']);
      expect(first.next).toBeTruthy();
      expect(await all({ statuses: ['rejected'] }, 25)).toEqual(['r3']);
      expect(await all({ statuses: ['pending'] }, 2)).toEqual(['r7', 'r6', 'r5', 'r4', 'r2', 'r1']);
      expect(await all({ createdFrom: at(2), createdBefore: at(5) }, 25)).toEqual(['r4', 'r3', 'r2']);
      // Search: the requester's name, the platform, the reference; any case.
      expect(await all({ search: 'sam oth' }, 1)).toEqual(['r6', 'r4', 'r2']);
      expect(await all({ search: 'YOUTUBE' }, 25)).toEqual(['r2']);
      expect(await all({ search: 'cs-r1' }, 25)).toEqual(['r1']);
      expect(await all({ search: '100%_' }, 25)).toEqual([]);
      expect(await store.listRequestsPage({ schoolId: 'nowhere', limit: 5 })).toEqual({ items: [] });
    });

    it('appends decisions and audit entries, and registers the account on final approval', async () => {
      const { store } = await fresh();
      const r = makeRequest('r1', { id: 'u-req', name: 'Rae Quest' }, 0);
      const v1 = await store.saveRequestChange({ request: r, audit: makeAudit('a1', r.id, 'request.submit', 0, r) });
      const first = decide(r, 'approved', ict, 5);
      const v2 = await store.saveRequestChange({ request: first.next, expectedEtag: v1.etag, decision: first.decision, audit: makeAudit('a2', r.id, 'approval.approve', 5, first.next) });
      const second = decide(first.next, 'approved', head, 9);
      const account = makeAccount(second.next, 9);
      await store.saveRequestChange({ request: second.next, expectedEtag: v2.etag, decision: second.decision, audit: makeAudit('a3', r.id, 'approval.approve', 9, second.next), account });

      expect(await store.listDecisions('r1')).toEqual([first.decision, second.decision]);
      const audit = await store.listAudit('r1');
      expect(audit.map((a) => a.id)).toEqual(['a1', 'a2', 'a3']);
      // Its place in the hash chain comes when it is sealed: at once in SQLite, shortly after on SharePoint.
      const { chain: _place, ...submitted } = audit[0]!;
      expect(submitted).toEqual(makeAudit('a1', r.id, 'request.submit', 0, r));
      expect(JSON.parse(audit[2]!.after!)).toEqual(second.next);
      expect(await store.listAccounts()).toEqual([account]);
      expect((await store.getRequest('r1'))!.value.status).toBe('approved');
      expect(await store.listDecisions('other')).toEqual([]);
      expect(await store.listAudit('other')).toEqual([]);
    });

    it('finds one person’s decisions and the audit entries they are the actor of; appends a standalone audit entry once', async () => {
      const { store } = await fresh();
      const by = (a: AuditEntry, who: { id: string; name: string }): AuditEntry => ({ ...a, actorId: who.id, actorName: who.name });
      // An entry's place in the hash chain comes when it is sealed: at once in SQLite, shortly after on SharePoint.
      const unplaced = (entries: AuditEntry[]) => entries.map(({ chain: _place, ...e }) => e);
      const rae = { id: 'u-req', name: 'Rae Quest' };
      const r1 = makeRequest('r1', rae, 0);
      const r2 = makeRequest('r2', { id: 'u-other', name: 'Otto Her' }, 1);
      const v1 = await store.saveRequestChange({ request: r1, audit: by(makeAudit('a1', r1.id, 'request.submit', 0), rae) });
      const w1 = await store.saveRequestChange({ request: r2, audit: by(makeAudit('b1', r2.id, 'request.submit', 1), { id: 'u-other', name: 'Otto Her' }) });
      const r1ict = decide(r1, 'approved', ict, 5);
      const v2 = await store.saveRequestChange({ request: r1ict.next, expectedEtag: v1.etag, decision: r1ict.decision, audit: by(makeAudit('a2', r1.id, 'approval.approve', 5), ict) });
      const r2ict = decide(r2, 'returned', ict, 6);
      await store.saveRequestChange({ request: r2ict.next, expectedEtag: w1.etag, decision: r2ict.decision, audit: by(makeAudit('b2', r2.id, 'approval.return', 6), ict) });
      const r1head = decide(r1ict.next, 'approved', head, 9);
      await store.saveRequestChange({ request: r1head.next, expectedEtag: v2.etag, decision: r1head.decision, audit: by(makeAudit('a3', r1.id, 'approval.approve', 9), head) });

      expect(await store.listDecisionsByActor(ict.id)).toEqual([r1ict.decision, r2ict.decision]);
      expect(await store.listDecisionsByActor(head.id)).toEqual([r1head.decision]);
      expect(await store.listDecisionsByActor(rae.id)).toEqual([]);
      expect((await store.listAuditByActor(ict.id)).map((a) => a.id)).toEqual(['a2', 'b2']);
      expect(unplaced(await store.listAuditByActor(rae.id))).toEqual([by(makeAudit('a1', r1.id, 'request.submit', 0), rae)]);
      expect(await store.listAuditByActor('u-none')).toEqual([]);

      // An entry with no record change (an export of Rae's data, by an admin): written once, however often it is appended.
      const exported: AuditEntry = { ...by(makeAudit('x1', rae.id, 'subject-access.export', 12, null, 'staff'), { id: 'u-admin', name: 'Ada Admin' }) };
      await store.appendAudit(exported);
      await store.appendAudit(exported);
      expect(unplaced(await store.listAudit(rae.id))).toEqual([exported]);
      expect(unplaced(await store.listAuditByActor('u-admin'))).toEqual([exported]);
    });
  });

  describe('the account register', () => {
    /** An approved request with its account in the register. */
    async function registered(store: Store): Promise<RegisteredAccount> {
      const r = makeRequest('r1', { id: 'u-req', name: 'Rae Quest' }, 0);
      const v1 = await store.saveRequestChange({ request: r, audit: makeAudit('a1', r.id, 'request.submit', 0) });
      const first = decide(r, 'approved', ict, 5);
      const v2 = await store.saveRequestChange({ request: first.next, expectedEtag: v1.etag, decision: first.decision, audit: makeAudit('a2', r.id, 'approval.approve', 5) });
      const second = decide(first.next, 'approved', head, 9);
      const account = makeAccount(second.next, 9);
      await store.saveRequestChange({ request: second.next, expectedEtag: v2.etag, decision: second.decision, audit: makeAudit('a3', r.id, 'approval.approve', 9), account });
      return account;
    }

    it('reads an account with its etag, saves a change with it and its audit entry, and refuses a stale etag with ConflictError', async () => {
      const { store } = await fresh();
      const account = await registered(store);
      expect(await store.getAccount('nope')).toBeUndefined();
      const v1 = (await store.getAccount(account.id))!;
      expect(v1.value).toEqual(account);
      expect((await store.listAccountVersions()).map((v) => [v.value.id, v.etag])).toEqual([[account.id, v1.etag]]);

      const confirmed: RegisteredAccount = { ...account, confirmation: { liveOn: '2025-09-15', networkManagerName: 'Ian Price', byId: 'u-adm', byName: 'Ada Min', at: at(20) } };
      const v2 = await store.saveAccountChange({ account: confirmed, expectedEtag: v1.etag, audit: makeAudit('acc-a1', account.id, 'account.confirm', 20, confirmed, 'account') });
      expect(v2.etag).not.toBe(v1.etag);
      expect(await store.getAccount(account.id)).toEqual({ value: confirmed, etag: v2.etag });
      expect(await store.listAccounts()).toEqual([confirmed]);

      const handed: RegisteredAccount = { ...confirmed, administrators: [{ id: 'u-new', name: 'New Person' }, ...confirmed.administrators.slice(1)] };
      const e = await conflictOf(store.saveAccountChange({ account: handed, expectedEtag: v1.etag, audit: makeAudit('acc-a2', account.id, 'account.handover', 21, handed, 'account') }));
      expect(e).toBeInstanceOf(ConflictError);
      expect((await store.getAccount(account.id))!.value).toEqual(confirmed);
      expect((await store.listAudit(account.id)).map((a) => a.id)).toEqual(['acc-a1']);
    });

    it('of two changes with the same etag, exactly one wins', async () => {
      const { store } = await fresh();
      const account = await registered(store);
      const v1 = (await store.getAccount(account.id))!;
      const a: RegisteredAccount = { ...account, administrators: [{ id: 'u-a', name: 'A' }, ...account.administrators.slice(1)] };
      const b: RegisteredAccount = { ...account, administrators: [{ id: 'u-b', name: 'B' }, ...account.administrators.slice(1)] };
      const results = await Promise.allSettled([
        store.saveAccountChange({ account: a, expectedEtag: v1.etag, audit: makeAudit('x-a', account.id, 'account.handover', 20, null, 'account') }),
        store.saveAccountChange({ account: b, expectedEtag: v1.etag, audit: makeAudit('x-b', account.id, 'account.handover', 20, null, 'account') }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(ConflictError);
      const winner = results[0]!.status === 'fulfilled' ? a : b;
      expect((await store.getAccount(account.id))!.value).toEqual(winner);
      expect((await store.listAudit(account.id)).map((x) => x.id)).toEqual([winner === a ? 'x-a' : 'x-b']);
    });
  });

  describe('a change and its effects, after a failure between them', () => {
    const reminder = (id: string, r: AccountRequest, minute: number): Job => ({ id: `job-${id}`, schoolId: r.schoolId, kind: 'approval.remind', key: `remind:${r.id}:${id}`, payload: { requestId: r.id }, runAt: at(minute), attempts: 0 });
    const jobIds = async (jobs: JobQueue) => (await jobs.receive(new Date(at(100_000)), 100, 60_000)).map((j) => j.id).sort();

    /** Submits r1 and has the ICT leader approve it; returns what the head teacher's final approval writes. */
    async function approvedOnce(store: Store) {
      const r = makeRequest('r1', { id: 'u-req', name: 'Rae Quest' }, 0);
      const v1 = await store.saveRequestChange({ request: r, audit: makeAudit('a1', r.id, 'request.submit', 0), jobs: [reminder('submit', r, 1)] });
      const first = decide(r, 'approved', ict, 5);
      const v2 = await store.saveRequestChange({ request: first.next, expectedEtag: v1.etag, decision: first.decision, audit: makeAudit('a2', r.id, 'approval.approve', 5) });
      const second = decide(first.next, 'approved', head, 9);
      const account = makeAccount(second.next, 9);
      const jobs = Array.from({ length: 8 }, (_, i) => reminder(`final-${i}`, r, 10 + i));
      return { r, first, second, account, jobs, change: { request: second.next, expectedEtag: v2.etag, decision: second.decision, audit: makeAudit('a3', r.id, 'approval.approve', 9), account, jobs } };
    }

    async function expectConverged(ports: StorePorts, x: Awaited<ReturnType<typeof approvedOnce>>) {
      expect(await ports.store.listDecisions('r1')).toEqual([x.first.decision, x.second.decision]);
      expect((await ports.store.listAudit('r1')).map((a) => a.id)).toEqual(['a1', 'a2', 'a3']);
      expect(await ports.store.listAccounts()).toEqual([x.account]);
      expect(await jobIds(ports.jobs)).toEqual(['job-submit', ...x.jobs.map((j) => j.id)].sort());
    }

    it('the sweeper, on another instance (the first one crashed), writes the records and jobs once', async () => {
      const sut = await fresh();
      const x = await approvedOnce(sut.store);
      const broken = sut.breakEffects?.();
      const saved = await sut.store.saveRequestChange(x.change);
      broken?.mend();
      expect(saved.value).toEqual(x.second.next);
      const other = await sut.another();
      const applied = await other.store.applyPendingChanges();
      expect(applied).toBe(broken ? 1 : 0);
      expect(await other.store.applyPendingChanges()).toBe(0);
      expect(await sut.store.applyPendingChanges()).toBe(0);
      await expectConverged(other, x);
      expect((await other.store.getRequest('r1'))!.value).toEqual(x.second.next);
    });

    it('reading the request finishes its change first, and the next change builds on it', async () => {
      const sut = await fresh();
      const r = makeRequest('r1', { id: 'u-req', name: 'Rae Quest' }, 0);
      const v1 = await sut.store.saveRequestChange({ request: r, audit: makeAudit('a1', r.id, 'request.submit', 0) });
      const first = decide(r, 'approved', ict, 5);
      const broken = sut.breakEffects?.();
      await sut.store.saveRequestChange({ request: first.next, expectedEtag: v1.etag, decision: first.decision, audit: makeAudit('a2', r.id, 'approval.approve', 5), jobs: [reminder('step-2', r, 6)] });
      broken?.mend();
      const other = await sut.another();
      const got = (await other.store.getRequest('r1'))!;
      expect(got.value).toEqual(first.next);
      const returned = decide(first.next, 'returned', head, 9);
      await other.store.saveRequestChange({ request: returned.next, expectedEtag: got.etag, decision: returned.decision, audit: makeAudit('a3', r.id, 'approval.return', 9) });
      expect(await sut.store.applyPendingChanges()).toBe(0);
      expect(await sut.store.listDecisions('r1')).toEqual([first.decision, returned.decision]);
      expect((await sut.store.listAudit('r1')).map((a) => a.id)).toEqual(['a1', 'a2', 'a3']);
      expect(await jobIds(sut.jobs)).toEqual(['job-step-2']);
    });

    it('the next change on the version the failed one returned writes the earlier records first, then its own', async () => {
      const sut = await fresh();
      const x = await approvedOnce(sut.store);
      const broken = sut.breakEffects?.();
      // The head teacher returns it instead of approving, and the write of the records fails.
      const returned = decide(x.first.next, 'returned', head, 9);
      const v3 = await sut.store.saveRequestChange({ request: returned.next, expectedEtag: x.change.expectedEtag, decision: returned.decision, audit: makeAudit('a3', 'r1', 'approval.return', 9), jobs: [reminder('returned', x.r, 10)] });
      broken?.mend();
      const resubmitted = { ...returned.next, status: 'pending' as const, round: 2, currentStep: 0, updatedAt: at(12) };
      await sut.store.saveRequestChange({ request: resubmitted, expectedEtag: v3.etag, audit: makeAudit('a4', 'r1', 'request.resubmit', 12), jobs: [reminder('resubmitted', x.r, 13)] });
      expect(await sut.store.applyPendingChanges()).toBe(0);
      expect(await sut.store.listDecisions('r1')).toEqual([x.first.decision, returned.decision]);
      expect((await sut.store.listAudit('r1')).map((a) => a.id)).toEqual(['a1', 'a2', 'a3', 'a4']);
      expect(await jobIds(sut.jobs)).toEqual(['job-resubmitted', 'job-returned', 'job-submit']);
      expect((await sut.store.getRequest('r1'))!.value).toEqual(resubmitted);
    });

    it('a change that books more jobs than one batch holds books each once', async () => {
      const sut = await fresh();
      const x = await approvedOnce(sut.store);
      const jobs = Array.from({ length: 25 }, (_, i) => reminder(`many-${String(i).padStart(2, '0')}`, x.r, 20 + i));
      await sut.store.saveRequestChange({ ...x.change, jobs });
      expect(await sut.store.applyPendingChanges()).toBe(0);
      await expectConverged(sut, { ...x, jobs });
    });
  });

  describe('conversations, sent cards and staff', () => {
    it('upserts and reads a conversation address', async () => {
      const { store } = await fresh();
      const c = { userId: 'u-1', conversationId: 'a:1xyz', serviceUrl: 'https://smba.example/teams/', tenantId: 't-1', reference: JSON.stringify({ conversation: { id: 'a:1xyz' } }), updatedAt: at(1) };
      expect(await store.getConversation('u-1')).toBeUndefined();
      await store.saveConversation(c);
      expect(await store.getConversation('u-1')).toEqual(c);
      const moved = { ...c, conversationId: 'a:2abc', reference: JSON.stringify({ conversation: { id: 'a:2abc' } }), updatedAt: at(2) };
      await store.saveConversation(moved);
      expect(await store.getConversation('u-1')).toEqual(moved);
      expect(await store.getConversation('u-2')).toBeUndefined();
    });

    it('upserts, reads and lists the teams Countersign is in, a removed one kept with its removal time', async () => {
      const { store } = await fresh();
      const team = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
        teamId: id,
        name,
        serviceUrl: 'https://smba.example/teams/',
        tenantId: 't-1',
        reference: JSON.stringify({ conversation: { id, conversationType: 'channel' } }),
        addedAt: at(1),
        updatedAt: at(1),
        ...extra,
      });
      expect(await store.listTeams()).toEqual([]);
      expect(await store.getTeam('19:y6@thread.tacv2')).toBeUndefined();
      const y6 = team('19:y6@thread.tacv2', 'Year 6', { aadGroupId: 'g-y6' });
      const staffRoom = team('19:staff@thread.tacv2', 'All staff');
      await store.saveTeam(y6);
      await store.saveTeam(staffRoom);
      expect(await store.getTeam(y6.teamId)).toEqual(y6);
      expect(await store.listTeams()).toEqual([staffRoom, y6]);
      // Removed, then renamed on the way back in: one record per team, last write wins.
      const removed = { ...y6, removedAt: at(5), updatedAt: at(5) };
      await store.saveTeam(removed);
      expect(await store.getTeam(y6.teamId)).toEqual(removed);
      const back = { ...y6, name: 'Year 6 (2026)', updatedAt: at(9) };
      await store.saveTeam(back);
      expect(await store.getTeam(y6.teamId)).toEqual(back);
      expect((await store.listTeams()).map((t) => t.name)).toEqual(['All staff', 'Year 6 (2026)']);
    });

    it('records sent cards per request, replacing the same card', async () => {
      const { store } = await fresh();
      const a = { requestId: 'r1', userId: 'u-ict', conversationId: 'a:c1', activityId: 'act-1', purpose: 'approval', sentAt: at(2) };
      const b = { requestId: 'r1', userId: 'u-req', conversationId: 'a:c2', activityId: 'act-2', purpose: 'status', sentAt: at(1) };
      await store.recordSentCard(a);
      await store.recordSentCard(b);
      await store.recordSentCard({ requestId: 'r2', userId: 'u-x', conversationId: 'a:c3', activityId: 'act-3', purpose: 'approval', sentAt: at(3) });
      expect(await store.listSentCards('r1')).toEqual([b, a]);
      const again = { ...a, purpose: 'approval-updated', sentAt: at(4) };
      await store.recordSentCard(again);
      expect(await store.listSentCards('r1')).toEqual([b, again]);
      expect(await store.listSentCards('none')).toEqual([]);
    });

    it('sets roles with an audit entry, lists only the role holders, and finds a person by e-mail', async () => {
      const { store } = await fresh();
      const zoe = staffMember('u-zoe', 'Zoe Young', 'English', []);
      const al = staffMember('u-al', 'Al Brook', 'Computing', ['ictLeader']);
      await store.upsertStaff([zoe, al, staffMember('u-cy', 'Cy Dale', 'Music', [])]);
      expect((await store.listRoleHolders()).map((s) => s.id)).toEqual(['u-al']);
      const audit = { id: 'a-roles-1', schoolId: SCHOOL, entityType: 'staff' as const, entityId: 'u-zoe', actorId: 'u-al', actorName: 'Al Brook', action: 'staff.roles', at: at(1), before: '{"roles":[]}', after: '{"roles":["policyAdmin","networkManager"]}' };
      expect(await store.setStaffRoles('u-zoe', ['policyAdmin', 'networkManager'], audit)).toEqual({ ...zoe, roles: ['policyAdmin', 'networkManager'] });
      // Again (a retry after a lost reply): the same record, one audit entry.
      await store.setStaffRoles('u-zoe', ['policyAdmin', 'networkManager'], audit);
      expect((await store.getStaff('u-zoe'))!.roles).toEqual(['policyAdmin', 'networkManager']);
      expect((await store.listAudit('u-zoe')).map((a) => a.id)).toEqual(['a-roles-1']);
      expect((await store.listRoleHolders()).map((s) => s.id)).toEqual(['u-al', 'u-zoe']);
      await store.setStaffRoles('u-al', [], { ...audit, id: 'a-roles-2', entityId: 'u-al' });
      expect((await store.listRoleHolders()).map((s) => s.id)).toEqual(['u-zoe']);
      expect(await store.setStaffRoles('u-none', ['policyAdmin'], { ...audit, id: 'a-roles-3' })).toBeUndefined();
      expect((await store.getStaffByEmail(zoe.email.toUpperCase()))?.id).toBe('u-zoe');
      expect(await store.getStaffByEmail('nobody@example.org')).toBeUndefined();
    });

    it('upserts, gets and lists staff by name', async () => {
      const { store } = await fresh();
      const zoe = staffMember('u-zoe', 'Zoe Young', 'English', ['policyAdmin']);
      const al = staffMember('u-al', 'Al Brook', 'Computing', ['ictLeader', 'deputyHead']);
      await store.upsertStaff([zoe, al]);
      expect(await store.getStaff('u-al')).toEqual(al);
      expect(await store.getStaff('u-none')).toBeUndefined();
      expect(await store.listStaff()).toEqual([al, zoe]);
      const zoe2 = { ...zoe, department: 'Drama', roles: [] };
      await store.upsertStaff([zoe2]);
      expect(await store.listStaff()).toEqual([al, zoe2]);
      // Join and leave dates round-trip, and clearing one clears it.
      const zoe3 = { ...zoe2, joinedOn: '2026-09-01', leftOn: '2026-12-19' };
      await store.upsertStaff([zoe3]);
      expect(await store.getStaff('u-zoe')).toEqual(zoe3);
      expect((await store.listStaffPage('', 10)).find((x) => x.id === 'u-zoe')).toEqual(zoe3);
      await store.upsertStaff([{ ...zoe3, leftOn: undefined }]);
      expect(await store.getStaff('u-zoe')).toEqual({ ...zoe2, joinedOn: '2026-09-01' });
    });

    it('upserts a whole roster at once', async () => {
      const { store } = await fresh();
      const roster = people(30, 's').map((p) => staffMember(p.id, p.name, p.department));
      await store.upsertStaff(roster.slice(0, 20));
      const changed = roster.map((s, i) => (i % 5 === 0 ? { ...s, jobTitle: 'Head of Year' } : s));
      await store.upsertStaff(changed);
      const listed = await store.listStaff();
      expect(listed).toHaveLength(30);
      expect(listed).toEqual([...changed].sort((a, b) => (a.name < b.name ? -1 : 1)));
    });

    it('saves a roster without ever touching roles: a new row starts with none, an existing one keeps its own', async () => {
      const { store } = await fresh();
      const al = staffMember('u-al', 'Al Brook', 'Computing', ['ictLeader', 'deputyHead']);
      await store.upsertStaff([al]);
      const { roles: _r, ...alRecord } = al;
      const moved = { ...alRecord, name: 'Alan Brook', department: 'Science', jobTitle: 'Head of Science', joinedOn: '2019-09-01' };
      const bo = { id: 'u-bo', schoolId: SCHOOL, name: 'Bo Chen', email: 'bo@school.example', department: 'Maths', jobTitle: 'Teacher' };
      await store.saveRoster([moved, bo]);
      expect(await store.getStaff('u-al')).toEqual({ ...moved, roles: ['ictLeader', 'deputyHead'] });
      expect(await store.getStaff('u-bo')).toEqual({ ...bo, roles: [] });
      // A leaver is marked, then listed again: the date goes, the roles never moved.
      await store.saveRoster([{ ...moved, leftOn: '2026-12-19' }]);
      expect(await store.getStaff('u-al')).toEqual({ ...moved, leftOn: '2026-12-19', roles: ['ictLeader', 'deputyHead'] });
      await store.saveRoster([moved]);
      expect(await store.getStaff('u-al')).toEqual({ ...moved, roles: ['ictLeader', 'deputyHead'] });
      // Writing the same again is harmless (a retried sync converges), many at once included.
      const many = people(25, 'r').map((p) => ({ id: p.id, schoolId: SCHOOL, name: p.name, email: `${p.id}@school.example`, department: p.department, jobTitle: 'Teacher' }));
      await store.saveRoster(many);
      await store.saveRoster([...many, moved, bo]);
      expect(await store.listStaff()).toHaveLength(27);
      expect(await store.getStaff('u-al')).toEqual({ ...moved, roles: ['ictLeader', 'deputyHead'] });
    });

    it('keeps a sync position, long values included, and forgets it on request', async () => {
      const { store } = await fresh();
      expect(await store.getSyncState('directory:users')).toBeUndefined();
      // A Graph deltaLink is longer than a single line of text allows in SharePoint (255).
      const link = `https://graph.microsoft.com/v1.0/users/delta?$deltatoken=${'x'.repeat(900)}`;
      await store.saveSyncState('directory:users', link);
      expect(await store.getSyncState('directory:users')).toBe(link);
      await store.saveSyncState('directory:users', `${link}2`);
      expect(await store.getSyncState('directory:users')).toBe(`${link}2`);
      expect(await store.getSyncState('directory:group')).toBeUndefined();
      await store.saveSyncState('directory:users', undefined);
      expect(await store.getSyncState('directory:users')).toBeUndefined();
    });

    it('pages staff in id order', async () => {
      const { store } = await fresh();
      const roster = people(23, 's').reverse().map((p) => staffMember(p.id, p.name, p.department));
      await store.upsertStaff(roster);
      const seen: string[] = [];
      const sizes: number[] = [];
      for (let after = ''; ; ) {
        const page = await store.listStaffPage(after, 10);
        sizes.push(page.length);
        seen.push(...page.map((s) => s.id));
        if (page.length < 10) break;
        after = page[page.length - 1]!.id;
      }
      expect(sizes).toEqual([10, 10, 3]);
      expect(seen).toEqual(people(23, 's').map((p) => p.id));
      expect(await store.listStaffPage('s-004', 2)).toEqual(roster.filter((s) => s.id === 's-005' || s.id === 's-006').reverse());
    });
  });

  describe('policies and declarations', () => {
    it('publishes versions, lists and gets them; a published version is frozen', async () => {
      const { policies } = await fresh();
      const v2025 = makeVersion('v-2025', '2025', '2025-09-01', 1);
      const v2024 = makeVersion('v-2024', '2024', '2024-09-01', 0, { requireOpenBeforeSign: false, statements: [] });
      await policies.publishVersion(policy, v2025);
      await policies.publishVersion({ ...policy, name: 'Acceptable use policy (renamed)' }, v2024);
      expect(await policies.listPolicies()).toEqual([{ ...policy, name: 'Acceptable use policy (renamed)' }]);
      expect(await policies.listVersions(policy.id)).toEqual([v2024, v2025]);
      expect(await policies.getVersion('v-2025')).toEqual(v2025);
      expect(await policies.getVersion('v-none')).toBeUndefined();
      expect(await policies.listVersions('pol-none')).toEqual([]);

      await policies.publishVersion(policy, { ...v2025, title: 'Changed after publishing', contentHash: 'other' });
      expect(await policies.getVersion('v-2025')).toEqual(v2025);
      expect(await policies.listVersions(policy.id)).toHaveLength(2);
    });

    it('saves a declaration once per signer and version; a second save returns the first', async () => {
      const { store, policies } = await fresh();
      const v = makeVersion('v-2025', '2025', '2025-09-01', 1);
      const v2 = makeVersion('v-2026', '2026', '2026-09-01', 2);
      await policies.publishVersion(policy, v);
      const chloe = { id: 'u-chloe', name: 'Chloe Dean' };
      const first = makeDeclaration('dec-1', chloe, v, 10, 'camp-1');
      expect(await policies.getDeclaration(chloe.id, v.id)).toBeUndefined();
      expect(await policies.saveDeclaration(first, makeAudit('aud-dec-1', 'dec-1', 'declaration.sign', 10, null, 'declaration'))).toEqual({ stored: first, created: true });
      const second = makeDeclaration('dec-2', chloe, v, 11);
      expect(await policies.saveDeclaration(second, makeAudit('aud-dec-2', 'dec-2', 'declaration.sign', 11, null, 'declaration'))).toEqual({ stored: first, created: false });
      expect(await policies.getDeclaration(chloe.id, v.id)).toEqual(first);
      expect(await store.listAudit('dec-1')).toHaveLength(1);
      expect(await store.listAudit('dec-2')).toEqual([]);

      const other = makeDeclaration('dec-3', chloe, v2, 5);
      await policies.saveDeclaration(other, makeAudit('aud-dec-3', 'dec-3', 'declaration.sign', 5, null, 'declaration'));
      expect(await policies.listDeclarationsBySigner(chloe.id)).toEqual([other, first]);
      expect(await policies.listDeclarationsBySigner('u-none')).toEqual([]);
    });

    it('two instances saving the same signature at once store one', async () => {
      const sut = await fresh();
      const other = await sut.another();
      const v = makeVersion('v-2025', '2025', '2025-09-01', 1);
      await sut.policies.publishVersion(policy, v);
      const chloe = { id: 'u-chloe', name: 'Chloe Dean' };
      const [a, b] = await Promise.all([
        sut.policies.saveDeclaration(makeDeclaration('dec-a', chloe, v, 10), makeAudit('aud-a', 'dec-a', 'declaration.sign', 10, null, 'declaration')),
        other.policies.saveDeclaration(makeDeclaration('dec-b', chloe, v, 10), makeAudit('aud-b', 'dec-b', 'declaration.sign', 10, null, 'declaration')),
      ]);
      expect([a.created, b.created].sort()).toEqual([false, true]);
      expect(a.stored).toEqual(b.stored);
      expect(await sut.policies.listDeclarationsBySigner(chloe.id)).toEqual([a.stored]);
    });

    it('imports many declarations at once, skipping ones already stored, with one audit entry', async () => {
      const { store, policies } = await fresh();
      const v = makeVersion('v-2025', '2025', '2025-09-01', 1);
      await policies.publishVersion(policy, v);
      const people = Array.from({ length: 45 }, (_, i) => ({ id: `u-imp-${String(i).padStart(2, '0')}`, name: `Imported ${i}` }));
      const already = makeDeclaration('dec-imp-signed', people[3], v, 1);
      await policies.saveDeclaration(already, makeAudit('aud-imp-0', already.id, 'declaration.sign', 1, null, 'declaration'));
      const batch = people.map((p, i) => makeDeclaration(`dec-imp-${i}`, p, v, 2));
      expect(await policies.importDeclarations(batch, makeAudit('aud-imp', 'import-1', 'declaration.import', 3, null, 'declaration'))).toEqual({ created: 44, skipped: 1 });
      expect(await policies.getDeclaration(people[3].id, v.id)).toEqual(already);
      expect(await policies.getDeclaration(people[44].id, v.id)).toEqual(batch[44]);
      expect(await store.listAudit('import-1')).toHaveLength(1);
      expect(await policies.importDeclarations(batch.slice(0, 5), makeAudit('aud-imp-2', 'import-2', 'declaration.import', 4, null, 'declaration'))).toEqual({ created: 0, skipped: 5 });
    });

    it('tells who of a page of people has signed a version, in one read', async () => {
      const { policies } = await fresh();
      const v = makeVersion('v-2025', '2025', '2025-09-01', 1);
      const v2 = makeVersion('v-2026', '2026', '2026-09-01', 2);
      await policies.publishVersion(policy, v);
      await policies.publishVersion(policy, v2);
      const ps = people(12, 'u');
      for (const i of [1, 4, 11]) await policies.saveDeclaration(makeDeclaration(`dec-${i}`, ps[i]!, v, 10 + i), makeAudit(`aud-${i}`, `dec-${i}`, 'declaration.sign', 10, null, 'declaration'));
      await policies.saveDeclaration(makeDeclaration('dec-other', ps[2]!, v2, 30), makeAudit('aud-other', 'dec-other', 'declaration.sign', 30, null, 'declaration'));
      const signed = await policies.signedAmong(v.id, ps.slice(0, 10).map((p) => p.id));
      expect([...signed.entries()].sort()).toEqual([[ps[1]!.id, at(11)], [ps[4]!.id, at(14)]]);
      expect((await policies.signedAmong(v2.id, ps.map((p) => p.id))).size).toBe(1);
      expect((await policies.signedAmong(v.id, [])).size).toBe(0);
    });

    it('records who opened a version, once', async () => {
      const { policies } = await fresh();
      expect(await policies.hasOpened('u-1', 'v-1')).toBe(false);
      await policies.recordOpen('u-1', 'v-1', at(1));
      await policies.recordOpen('u-1', 'v-1', at(2));
      expect(await policies.hasOpened('u-1', 'v-1')).toBe(true);
      expect(await policies.hasOpened('u-1', 'v-2')).toBe(false);
      expect(await policies.hasOpened('u-2', 'v-1')).toBe(false);
    });
  });

  describe('campaigns and recipients', () => {
    it('creates a campaign with its recipients and first jobs', async () => {
      const { campaigns, jobs } = await fresh();
      const c = makeCampaign('camp-1', 'v-2025', 10);
      const ps = people(5);
      const rs = recipientsOf(c.id, ps, 10);
      rs[4] = { ...rs[4]!, state: 'signed', signedAt: at(3) };
      await campaigns.createCampaign(c, rs, ps.slice(0, 4).map((p) => sendJob(c.id, p.id, 10)));
      expect(await campaigns.getCampaign('camp-1')).toEqual(c);
      expect(await campaigns.getCampaign('camp-none')).toBeUndefined();
      expect(await campaigns.getRecipient(c.id, ps[0]!.id)).toEqual({ value: rs[0], etag: expect.any(String) });
      expect((await campaigns.getRecipient(c.id, ps[4]!.id))!.value).toEqual(rs[4]);
      expect(await campaigns.getRecipient(c.id, 'p-none')).toBeUndefined();
      expect(await jobs.pendingCount()).toBe(4);

      // Creating the same campaign again (a retry) completes it and writes nothing twice.
      expect(await campaigns.createCampaign(c, rs, ps.slice(0, 4).map((p) => sendJob(c.id, p.id, 10)))).toEqual({ created: true });
      expect(await jobs.pendingCount()).toBe(4);
      expect((await campaigns.countRecipients(c.id)).reduce((n, x) => n + x.count, 0)).toBe(5);

      // One open campaign per version: a second is refused, naming the first, until the first is closed.
      const later = { ...makeCampaign('camp-2', 'v-2025', 20), audience: { kind: 'group' as const, groupId: 'g-staff' } };
      expect(await campaigns.openCampaignFor('v-2025')).toEqual(c);
      expect(await campaigns.createCampaign(later, [], [sendJob('camp-2', 'p-x', 20)])).toEqual({ created: false, open: c });
      expect(await campaigns.getCampaign('camp-2')).toBeUndefined();
      expect(await jobs.pendingCount()).toBe(4);
      const closed = { at: at(15), by: 'u-admin', byName: 'Ada Admin' };
      expect(await campaigns.closeCampaign(c.id, closed)).toEqual({ ...c, closed });
      expect(await campaigns.closeCampaign(c.id, { ...closed, at: at(16), byName: 'Someone Else' })).toEqual({ ...c, closed });
      expect(await campaigns.closeCampaign('camp-none', closed)).toBeUndefined();
      expect(await campaigns.openCampaignFor('v-2025')).toBeUndefined();
      expect(await campaigns.createCampaign(later, [], [])).toEqual({ created: true });
      expect(await campaigns.openCampaignFor('v-2025')).toEqual(later);
      expect(await campaigns.listCampaigns()).toEqual([later, { ...c, closed }]);
      // Another version is another campaign.
      const next = makeCampaign('camp-3', 'v-2026', 30);
      expect(await campaigns.createCampaign(next, [], [])).toEqual({ created: true });
    });

    it('another instance sees a campaign closed and its audience ready; two launches at once: one wins', async () => {
      const sut = await fresh();
      const other = await sut.another();
      const c = { ...makeCampaign('camp-1', 'v-2025', 0), audienceStatus: 'preparing' as const };
      const rival = { ...makeCampaign('camp-rival', 'v-2025', 0), audienceStatus: 'preparing' as const };
      const results = await Promise.all([sut.campaigns.createCampaign(c, [], []), other.campaigns.createCampaign(rival, [], [])]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = results[0]!.created ? c : rival;
      expect(results.find((r) => !r.created)).toEqual({ created: false, open: winner });
      expect(await other.campaigns.openCampaignFor('v-2025')).toEqual(winner);

      await sut.campaigns.markAudienceReady(winner.id);
      await sut.campaigns.markAudienceReady(winner.id);
      const fresher = await sut.another();
      expect((await fresher.campaigns.getCampaign(winner.id))!.audienceStatus).toBe('ready');
      const closed = { at: at(5), by: 'u-admin', byName: 'Ada Admin' };
      await sut.campaigns.closeCampaign(winner.id, closed);
      // An instance may trust a campaign it read for a few seconds; one that has not read it sees the close.
      const third = await sut.another();
      expect((await third.campaigns.getCampaign(winner.id))!.closed).toEqual(closed);
      expect(await fresher.campaigns.openCampaignFor('v-2025')).toBeUndefined();
    });

    it('keeps a team audience with the team\'s name, and reads one stored before the name was kept', async () => {
      const sut = await fresh();
      const c = { ...makeCampaign('camp-team', 'v-2025', 0), audience: { kind: 'team' as const, teamId: '19:y6@thread.tacv2', teamName: 'Year 6' } };
      const old = { ...makeCampaign('camp-team-old', 'v-2026', 1), audience: { kind: 'team' as const, teamId: '19:y5@thread.tacv2' } };
      await sut.campaigns.createCampaign(c, [], []);
      await sut.campaigns.createCampaign(old, [], []);
      expect(await (await sut.another()).campaigns.getCampaign(c.id)).toEqual(c);
      expect(await (await sut.another()).campaigns.getCampaign(old.id)).toEqual(old);
    });

    it('keeps a department audience; records "remind now" once a day, even from two instances at once', async () => {
      const sut = await fresh();
      const c = { ...makeCampaign('camp-1', 'v-2025', 0), audience: { kind: 'departments' as const, departments: ['Key Stage 1', 'Early Years'] } };
      await sut.campaigns.createCampaign(c, [], []);
      expect(await (await sut.another()).campaigns.getCampaign(c.id)).toEqual(c);
      const other = await sut.another();
      const claims = await Promise.all([sut.campaigns.claimRemindDay(c.id, '2027-03-01'), other.campaigns.claimRemindDay(c.id, '2027-03-01')]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await sut.campaigns.claimRemindDay(c.id, '2027-03-01')).toBe(false);
      expect((await (await sut.another()).campaigns.getCampaign(c.id))!.remindedOn).toBe('2027-03-01');
      expect(await sut.campaigns.claimRemindDay(c.id, '2027-03-02')).toBe(true);
      expect((await (await sut.another()).campaigns.getCampaign(c.id))!.remindedOn).toBe('2027-03-02');
      expect(await sut.campaigns.claimRemindDay('camp-none', '2027-03-02')).toBe(false);
    });

    it('keeps a "joined since" audience', async () => {
      const sut = await fresh();
      const c = { ...makeCampaign('camp-1', 'v-2025', 0), audience: { kind: 'joinedSince' as const, since: '2026-09-01' } };
      await sut.campaigns.createCampaign(c, [], []);
      expect(await (await sut.another()).campaigns.getCampaign(c.id)).toEqual(c);
    });

    it('updates a recipient with its etag; a stale etag is ConflictError; concurrent updates: one wins', async () => {
      const { campaigns } = await fresh();
      const c = makeCampaign('camp-1', 'v-2025', 0);
      const [p] = people(1);
      await campaigns.createCampaign(c, recipientsOf(c.id, [p!]), []);
      const v1 = (await campaigns.getRecipient(c.id, p!.id))!;
      const attempting = { ...v1.value, attempts: 1, sendingSince: at(1), updatedAt: at(1) };
      const v2 = await campaigns.updateRecipient(attempting, v1.etag);
      expect(v2.value).toEqual(attempting);
      expect(v2.etag).not.toBe(v1.etag);
      expect(await campaigns.getRecipient(c.id, p!.id)).toEqual(v2);

      expect(await conflictOf(campaigns.updateRecipient({ ...attempting, attempts: 9 }, v1.etag))).toBeInstanceOf(ConflictError);

      const delivered = { ...attempting, state: 'sent' as const, sentAt: at(2), sendingSince: null, conversationId: 'a:c', activityId: 'act', updatedAt: at(2) };
      const failed = { ...attempting, state: 'failed' as const, failureReason: 'blocked the app', sendingSince: null, updatedAt: at(2) };
      const results = await Promise.allSettled([campaigns.updateRecipient(delivered, v2.etag), campaigns.updateRecipient(failed, v2.etag)]);
      expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((x): x is PromiseRejectedResult => x.status === 'rejected')!;
      expect(lost.reason).toBeInstanceOf(ConflictError);
      const winner = results[0]!.status === 'fulfilled' ? delivered : failed;
      expect((await campaigns.getRecipient(c.id, p!.id))!.value).toEqual(winner);
      expect(await campaigns.countRecipients(c.id)).toEqual([{ state: winner.state, department: p!.department, count: 1 }]);
    });

    it('adds only recipients not already in the campaign, with their jobs', async () => {
      const { campaigns, jobs } = await fresh();
      const c = makeCampaign('camp-1', 'v-2025', 0);
      const ps = people(6);
      await campaigns.createCampaign(c, recipientsOf(c.id, ps.slice(0, 4)), ps.slice(0, 4).map((p) => sendJob(c.id, p.id)));
      const existing = (await campaigns.getRecipient(c.id, ps[0]!.id))!;
      await campaigns.updateRecipient({ ...existing.value, state: 'sent', sentAt: at(1), updatedAt: at(1) }, existing.etag);

      const added = await campaigns.addRecipients(c.id, recipientsOf(c.id, ps, 30), (r) => sendJob(c.id, r.userId, 30));
      expect(added.map((r) => r.userId)).toEqual([ps[4]!.id, ps[5]!.id]);
      expect((await campaigns.getRecipient(c.id, ps[0]!.id))!.value.state).toBe('sent');
      expect(await jobs.pendingCount()).toBe(6);
      expect(await campaigns.addRecipients(c.id, recipientsOf(c.id, ps, 40), (r) => sendJob(c.id, r.userId, 40))).toEqual([]);
      expect(await campaigns.addRecipients('camp-none', recipientsOf('camp-none', ps), (r) => sendJob('camp-none', r.userId))).toEqual([]);
      expect(await jobs.pendingCount()).toBe(6);
    });

    it('books the jobs of recipients left queued without them, and extra jobs, with the recipients', async () => {
      const { campaigns, jobs } = await fresh();
      const c = makeCampaign('camp-1', 'v-2025', 0);
      const ps = people(5);
      // Stored queued with no send job, as a crash between a page's recipients and its jobs would leave them.
      await campaigns.createCampaign(c, recipientsOf(c.id, ps.slice(0, 3)), []);
      const signed = { ...newRecipient(c.id, ps[4]!, at(1), c.schoolId), state: 'signed' as const, signedAt: at(1) };
      const next = { ...job('next-page', 1), key: 'expand:camp-1:launch:p-004' };
      const added = await campaigns.addRecipients(c.id, [...recipientsOf(c.id, ps.slice(0, 4), 1), signed], (r) => sendJob(c.id, r.userId, 1), [next]);
      expect(added.map((r) => r.userId)).toEqual([ps[3]!.id, ps[4]!.id]);
      expect(await jobs.pendingCount()).toBe(5); // four sends (none for the signed person) and the next page
      await campaigns.addRecipients(c.id, recipientsOf(c.id, ps, 2), (r) => sendJob(c.id, r.userId, 2), [next]);
      expect(await jobs.pendingCount()).toBe(5);
    });

    it('adds a large audience of joiners, ignoring those already there', async () => {
      const { campaigns } = await fresh();
      const c = makeCampaign('camp-1', 'v-2025', 0);
      const ps = people(60);
      await campaigns.createCampaign(c, recipientsOf(c.id, ps.slice(0, 45)), []);
      const added = await campaigns.addRecipients(c.id, recipientsOf(c.id, ps, 5), (r) => sendJob(c.id, r.userId, 5));
      expect(added.map((r) => r.userId)).toEqual(ps.slice(45).map((p) => p.id));
      const total = (await campaigns.countRecipients(c.id)).reduce((n, x) => n + x.count, 0);
      expect(total).toBe(60);
    });

    it('counts recipients by state and department, and keeps the counts right after updates', async () => {
      const { campaigns } = await fresh();
      const c = makeCampaign('camp-1', 'v-2025', 0);
      const ps = people(9);
      await campaigns.createCampaign(c, recipientsOf(c.id, ps), []);
      await campaigns.createCampaign(makeCampaign('camp-other', 'v-2026', 1), recipientsOf('camp-other', ps.slice(0, 2)), []);
      expect((await campaigns.countRecipients(c.id)).sort(byStateDept)).toEqual([
        { state: 'queued', department: 'English', count: 3 },
        { state: 'queued', department: 'Maths', count: 3 },
        { state: 'queued', department: 'Science', count: 3 },
      ]);
      for (const [i, state] of [[0, 'sent'], [1, 'sent'], [2, 'failed'], [3, 'signed']] as const) {
        const v = (await campaigns.getRecipient(c.id, ps[i]!.id))!;
        await campaigns.updateRecipient({ ...v.value, state, updatedAt: at(5) }, v.etag);
      }
      // A change that keeps the state moves no counter.
      const reminded = (await campaigns.getRecipient(c.id, ps[0]!.id))!;
      await campaigns.updateRecipient({ ...reminded.value, remindersSent: 1, updatedAt: at(6) }, reminded.etag);
      expect((await campaigns.countRecipients(c.id)).sort(byStateDept)).toEqual([
        { state: 'failed', department: 'English', count: 1 },
        { state: 'queued', department: 'English', count: 2 },
        { state: 'queued', department: 'Maths', count: 1 },
        { state: 'queued', department: 'Science', count: 2 },
        { state: 'sent', department: 'Maths', count: 1 },
        { state: 'sent', department: 'Science', count: 1 },
        { state: 'signed', department: 'Maths', count: 1 },
      ].sort(byStateDept));
      expect(await campaigns.countRecipients('camp-none')).toEqual([]);
      expect((await campaigns.recountRecipients(c.id)).sort(byStateDept)).toEqual((await campaigns.countRecipients(c.id)).sort(byStateDept));
    });

    it('keeps counts right when two instances update recipients at once', async () => {
      const sut = await fresh();
      const other = await sut.another();
      const c = makeCampaign('camp-1', 'v-2025', 0);
      const ps = people(12, 'p', ['Maths']);
      await sut.campaigns.createCampaign(c, recipientsOf(c.id, ps), []);
      await Promise.all(
        ps.map(async (p, i) => {
          const side = i % 2 ? other : sut;
          const v = (await side.campaigns.getRecipient(c.id, p.id))!;
          await side.campaigns.updateRecipient({ ...v.value, state: 'sent', sentAt: at(2), updatedAt: at(2) }, v.etag);
        }),
      );
      expect(await sut.campaigns.countRecipients(c.id)).toEqual([{ state: 'sent', department: 'Maths', count: 12 }]);
      expect(await other.campaigns.countRecipients(c.id)).toEqual([{ state: 'sent', department: 'Maths', count: 12 }]);
    });

    it('pages through recipients in user order, optionally in one state', async () => {
      const { campaigns } = await fresh();
      const c = makeCampaign('camp-1', 'v-2025', 0);
      const ps = people(23);
      const shuffled = [...ps].reverse();
      await campaigns.createCampaign(c, recipientsOf(c.id, shuffled), []);
      await campaigns.createCampaign(makeCampaign('camp-2', 'v-2026', 0), recipientsOf('camp-2', ps.slice(0, 3)), []);
      const seen: string[] = [];
      const sizes: number[] = [];
      for (let after: string | undefined; ; ) {
        const page = await campaigns.listRecipients(c.id, { afterUserId: after, limit: 10 });
        sizes.push(page.length);
        seen.push(...page.map((r) => r.userId));
        if (page.length < 10) break;
        after = page[page.length - 1]!.userId;
      }
      expect(sizes).toEqual([10, 10, 3]);
      expect(seen).toEqual(ps.map((p) => p.id));

      for (const i of [2, 5, 7, 19]) {
        const v = (await campaigns.getRecipient(c.id, ps[i]!.id))!;
        await campaigns.updateRecipient({ ...v.value, state: 'sent', sentAt: at(3), updatedAt: at(3) }, v.etag);
      }
      const sent1 = await campaigns.listRecipients(c.id, { state: 'sent', limit: 3 });
      expect(sent1.map((r) => r.userId)).toEqual([ps[2]!.id, ps[5]!.id, ps[7]!.id]);
      const sent2 = await campaigns.listRecipients(c.id, { state: 'sent', afterUserId: ps[7]!.id, limit: 3 });
      expect(sent2.map((r) => r.userId)).toEqual([ps[19]!.id]);
      expect(sent2[0]).toEqual({ ...recipientsOf(c.id, [ps[19]!])[0], state: 'sent', sentAt: at(3), updatedAt: at(3) });
      expect(await campaigns.listRecipients(c.id, { state: 'signed', limit: 5 })).toEqual([]);
      expect(await campaigns.listRecipients('camp-none', { limit: 5 })).toEqual([]);
    });

    it('finds a person’s recipient records for a policy version across campaigns', async () => {
      const { campaigns } = await fresh();
      const [p, q] = people(2);
      // An earlier campaign for the version, closed, and the open one.
      await campaigns.createCampaign({ ...makeCampaign('camp-1', 'v-2025', 0), closed: { at: at(0), by: 'u-admin', byName: 'Ada Admin' } }, recipientsOf('camp-1', [p!, q!]), []);
      await campaigns.createCampaign(makeCampaign('camp-2', 'v-2025', 1), recipientsOf('camp-2', [p!]), []);
      await campaigns.createCampaign(makeCampaign('camp-3', 'v-2026', 2), recipientsOf('camp-3', [p!]), []);
      const mine = await campaigns.recipientsFor(p!.id, 'v-2025');
      expect(mine.map((r) => r.value.campaignId).sort()).toEqual(['camp-1', 'camp-2']);
      // The etags they carry are good for an update.
      const signed = await campaigns.updateRecipient({ ...mine[0]!.value, state: 'signed', signedAt: at(9), updatedAt: at(9) }, mine[0]!.etag);
      expect(signed.value.state).toBe('signed');
      expect(await campaigns.recipientsFor('p-none', 'v-2025')).toEqual([]);
    });
  });

  describe('job queue', () => {
    it('answers a ping (the readiness probe) without changing what it holds', async () => {
      const { jobs } = await fresh();
      await jobs.ping();
      await jobs.enqueue([job('j1', 0)]);
      await jobs.ping();
      expect(await jobs.pendingCount()).toBe(1);
      expect((await jobs.receive(new Date(at(1)), 10, 60_000)).map((j) => j.attempts)).toEqual([1]);
    });

    it('keeps the first of two jobs with the same key, even after it has run', async () => {
      const { jobs } = await fresh();
      const first = job('j1', 0, { key: 'same' });
      await jobs.enqueue([first, job('j2', 0, { key: 'same', payload: { second: true } })]);
      await jobs.enqueue([job('j3', 0, { key: 'same', payload: { third: true } })]);
      expect(await jobs.pendingCount()).toBe(1);
      const [received] = await jobs.receive(new Date(at(1)), 10, 60_000);
      expect({ ...received, receipt: undefined }).toEqual({ ...first, attempts: 1, receipt: undefined });
      expect(await jobs.complete(received!)).toBe(true);
      await jobs.enqueue([job('j4', 0, { key: 'same' })]);
      expect(await jobs.pendingCount()).toBe(0);
    });

    it('tells listeners when jobs are booked', async () => {
      const { jobs } = await fresh();
      let told = 0;
      const stop = jobs.onBooked(() => told++);
      await jobs.enqueue([job('j1', 0)]);
      jobs.booked();
      stop();
      jobs.booked();
      expect(told).toBe(2);
    });

    it('delivers only visible jobs, earliest first, up to the limit', async () => {
      const { jobs } = await fresh();
      await jobs.enqueue([job('j-late', 30), job('j-b', 2), job('j-a', 1), job('j-c', 3)]);
      const now = new Date(at(5));
      const hour = 3600_000;
      const firstTwo = await jobs.receive(now, 2, hour);
      expect(firstTwo.map((j) => j.id)).toEqual(['j-a', 'j-b']);
      expect(firstTwo.every((j) => j.attempts === 1)).toBe(true);
      expect((await jobs.receive(now, 10, hour)).map((j) => j.id)).toEqual(['j-c']);
      expect(await jobs.receive(now, 10, hour)).toEqual([]);
      expect((await jobs.receive(new Date(at(30)), 10, hour)).map((j) => j.id)).toEqual(['j-late']);
    });

    it('hides a received job for its visibility timeout, then delivers it again with a new receipt', async () => {
      const { jobs } = await fresh();
      await jobs.enqueue([job('j1', 0)]);
      const [first] = await jobs.receive(new Date(at(1)), 5, 10 * 60_000);
      expect(await jobs.receive(new Date(at(5)), 5, 10 * 60_000)).toEqual([]);
      expect(await jobs.nextDueAt()).toBe(at(11));
      const again = await jobs.receive(new Date(at(12)), 5, 10 * 60_000);
      expect(again.map((j) => [j.id, j.attempts])).toEqual([['j1', 2]]);
      expect(again[0]!.receipt).not.toBe(first!.receipt);
      // The first worker's lease ran out: its answer changes nothing; the later delivery decides.
      expect(await jobs.complete(first!)).toBe(false);
      expect(await jobs.pendingCount()).toBe(1);
      expect(await jobs.complete(again[0]!)).toBe(true);
      expect(await jobs.pendingCount()).toBe(0);
    });

    it('completes, releases for later and poisons jobs', async () => {
      const { jobs } = await fresh();
      await jobs.enqueue([job('j-done', 0), job('j-retry', 0), job('j-fail', 0), job('j-wait', 20)]);
      expect(await jobs.nextDueAt()).toBe(at(0));
      const received = await jobs.receive(new Date(at(1)), 10, 60_000);
      expect(received.map((j) => j.id).sort()).toEqual(['j-done', 'j-fail', 'j-retry']);
      const byId = (id: string) => received.find((j) => j.id === id)!;
      expect(await jobs.complete(byId('j-done'))).toBe(true);
      expect(await jobs.release(byId('j-retry'), at(10), 'throttled')).toBe(true);
      expect(await jobs.poison(byId('j-fail'), 'no handler')).toBe(true);
      expect(await jobs.pendingCount()).toBe(2);
      expect(await jobs.nextDueAt()).toBe(at(10));
      expect(await jobs.receive(new Date(at(9)), 10, 60_000)).toEqual([]);
      const retried = await jobs.receive(new Date(at(10)), 10, 60_000);
      expect(retried.map((j) => [j.id, j.runAt, j.attempts])).toEqual([['j-retry', at(10), 2]]);
      await jobs.complete(retried[0]!);
      expect(await jobs.pendingCount()).toBe(1);
      expect(await jobs.nextDueAt()).toBe(at(20));
      await jobs.complete((await jobs.receive(new Date(at(20)), 1, 60_000))[0]!);
      expect(await jobs.pendingCount()).toBe(0);
      expect(await jobs.nextDueAt()).toBeUndefined();
      expect(await jobs.receive(new Date(at(999)), 10, 60_000)).toEqual([]);
    });

    it('never hands the same job to two instances receiving at once', async () => {
      const sut = await fresh();
      const other = await sut.another();
      await sut.jobs.enqueue(Array.from({ length: 12 }, (_, i) => job(`j${String(i).padStart(2, '0')}`, 0)));
      const now = new Date(at(1));
      const [a, b] = await Promise.all([sut.jobs.receive(now, 12, 60_000), other.jobs.receive(now, 12, 60_000)]);
      const ids = [...a, ...b].map((j) => j.id);
      expect(new Set(ids).size).toBe(ids.length);
      // Whatever one lost in the race is still there for the next receive.
      const rest = await sut.jobs.receive(now, 12, 60_000);
      expect(ids.length + rest.length).toBe(12);
    });
  });

  describe('every record knows its school', () => {
    // Another school than the fixtures', read back through a second instance so no in-memory cache answers.
    const oak = 'oak-academy';

    it('a request, its decision, audit entry, account and jobs keep their school', async () => {
      const sut = await fresh();
      const other = await sut.another();
      const r = makeRequest('r-oak', { id: 'u-req', name: 'Rae Quest' }, 0, { schoolId: oak });
      const submitJob = { ...job('j-oak-1', 0), schoolId: oak };
      const v1 = await sut.store.saveRequestChange({ request: r, audit: { ...makeAudit('a-oak-1', r.id, 'request.submit', 0), schoolId: oak }, jobs: [submitJob] });
      const first = decide(r, 'approved', ict, 5);
      const v2 = await sut.store.saveRequestChange({ request: first.next, expectedEtag: v1.etag, decision: first.decision, audit: { ...makeAudit('a-oak-2', r.id, 'approval.approve', 5), schoolId: oak } });
      const second = decide(first.next, 'approved', head, 9);
      const account = makeAccount(second.next, 9);
      await sut.store.saveRequestChange({ request: second.next, expectedEtag: v2.etag, decision: second.decision, audit: { ...makeAudit('a-oak-3', r.id, 'approval.approve', 9), schoolId: oak }, account });

      expect(first.decision.schoolId).toBe(oak);
      expect(account.schoolId).toBe(oak);
      expect((await other.store.getRequest(r.id))!.value.schoolId).toBe(oak);
      expect((await other.store.listRequestsByRequester('u-req')).map((x) => x.schoolId)).toEqual([oak]);
      expect((await other.store.listDecisions(r.id)).map((d) => d.schoolId)).toEqual([oak, oak]);
      expect((await other.store.listAudit(r.id)).map((a) => a.schoolId)).toEqual([oak, oak, oak]);
      expect(await other.store.listAccounts()).toEqual([account]);
      expect((await other.jobs.receive(new Date(at(1)), 10, 60_000)).map((j) => [j.id, j.schoolId])).toEqual([['j-oak-1', oak]]);
    });

    it('staff rows keep their school, and an upsert can move a row to another school', async () => {
      const sut = await fresh();
      const other = await sut.another();
      const amy = { ...staffMember('u-amy', 'Amy Oak', 'Maths', ['policyAdmin']), schoolId: oak };
      await sut.store.upsertStaff([amy, staffMember('u-ben', 'Ben Lark')]);
      expect(await other.store.getStaff('u-amy')).toEqual(amy);
      expect((await other.store.listStaff()).map((x) => [x.id, x.schoolId])).toEqual([['u-amy', oak], ['u-ben', SCHOOL]]);
      await sut.store.upsertStaff([{ ...amy, schoolId: SCHOOL }]);
      expect((await other.store.getStaff('u-amy'))!.schoolId).toBe(SCHOOL);
    });

    it('a policy, its versions and declarations keep their school', async () => {
      const sut = await fresh();
      const other = await sut.another();
      const p = { ...policy, id: 'pol-oak', schoolId: oak };
      const v = makeVersion('v-oak', '2025', '2025-09-01', 1, { policyId: p.id, schoolId: oak });
      await sut.policies.publishVersion(p, v);
      expect(await other.policies.listPolicies()).toEqual([p]);
      expect(await other.policies.listVersions(p.id)).toEqual([v]);
      expect(await other.policies.getVersion(v.id)).toEqual(v);
      const signed = makeDeclaration('dec-oak', { id: 'u-chloe', name: 'Chloe Dean' }, v, 10);
      expect(signed.schoolId).toBe(oak);
      await sut.policies.saveDeclaration(signed, { ...makeAudit('a-dec-oak', v.id, 'declaration.sign', 10, null, 'declaration'), schoolId: oak });
      const imported = makeDeclaration('dec-oak-2', { id: 'u-dan', name: 'Dan Paper' }, v, 11);
      await sut.policies.importDeclarations([imported], { ...makeAudit('a-imp-oak', v.id, 'declaration.import', 11, null, 'declaration'), schoolId: oak });
      expect(await other.policies.getDeclaration('u-chloe', v.id)).toEqual(signed);
      expect(await other.policies.listDeclarationsBySigner('u-dan')).toEqual([imported]);
      expect((await other.store.listAudit(v.id)).map((a) => a.schoolId)).toEqual([oak, oak]);
    });

    it('a campaign, its recipients and their jobs keep their school', async () => {
      const sut = await fresh();
      const other = await sut.another();
      const c = { ...makeCampaign('camp-oak', 'v-oak', 10), schoolId: oak };
      const ps = people(3, 'o');
      const rs = ps.map((x) => newRecipient(c.id, x, at(10), c.schoolId));
      await sut.campaigns.createCampaign(c, rs, [{ ...sendJob(c.id, ps[0]!.id, 10), schoolId: oak }]);
      const joiner = newRecipient(c.id, { id: 'o-new', name: 'New Joiner', department: 'Art' }, at(11), c.schoolId);
      await sut.campaigns.addRecipients(c.id, [joiner], (x) => ({ ...sendJob(c.id, x.userId, 11), schoolId: x.schoolId }));
      expect(await other.campaigns.getCampaign(c.id)).toEqual(c);
      expect(await other.campaigns.listCampaigns()).toEqual([c]);
      expect((await other.campaigns.getRecipient(c.id, ps[1]!.id))!.value).toEqual(rs[1]);
      expect((await other.campaigns.listRecipients(c.id, { limit: 10 })).map((x) => x.schoolId)).toEqual([oak, oak, oak, oak]);
      expect((await other.campaigns.recipientsFor(ps[2]!.id, 'v-oak')).map((x) => x.value.schoolId)).toEqual([oak]);
      expect((await other.jobs.receive(new Date(at(12)), 10, 60_000)).map((j) => j.schoolId)).toEqual([oak, oak]);
    });
  });
}
