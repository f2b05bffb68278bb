import { describe, expect, test } from 'vitest';
import { registerAccount, type AccountRequest, type ApprovalStep } from '../../src/domain/account-request';
import { openRequest, submitRequest, SYSTEM_ACTOR, transition, type RequestEvent } from '../../src/domain/approval.workflow';
import type { RequestEffect } from '../../src/domain/request-effects';
import { requestPermissions } from '../../src/domain/request-permissions';
import { ErrorCodes } from '../../src/domain/errors';
import type { Actor, SchoolRole } from '../../src/domain/people';
import { routeRequest } from '../../src/domain/routing';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';

const A = (s: { id: string; name: string }): Actor => ({ id: s.id, name: s.name });
const R = A(demoPeople.requester);
const I = A(demoPeople.ictLeader);
const H = A(demoPeople.headTeacher);
const D = A(demoPeople.deputy);
const S = A(demoStaff.find((s) => s.name.startsWith('Chloe'))!);
const actors = { R, I, H, D, S } as const;
type ActorKey = keyof typeof actors;

const steps: ApprovalStep[] = [
  { role: 'ictLeader', approverId: I.id, approverName: I.name, delegated: false },
  { role: 'headTeacher', approverId: H.id, approverName: H.name, delegated: false },
];
const details = {} as AccountRequest['details'];
const T0 = '2026-11-23T09:00:00.000Z';
const T1 = '2026-11-23T10:00:00.000Z';

const deepFreeze = <T>(o: T): T => {
  if (o && typeof o === 'object') {
    Object.values(o).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
};

function must(r: ReturnType<typeof transition>): AccountRequest {
  if (!r.ok) throw new Error(r.error.code);
  return r.value.state;
}
const sign = (a: Actor, type: 'approve' | 'reject' | 'return', s: AccountRequest): RequestEvent => ({
  type,
  step: s.currentStep,
  round: s.round,
  signature: a.name,
  comment: 'looks fine',
  at: T0,
});

const P0 = openRequest({ id: 'r1', schoolId: 'larkfield', reference: 'CS-0001', requester: R, details, steps, at: T0 });
const P1 = must(transition(P0, sign(I, 'approve', P0), I));
const RET = must(transition(P0, sign(I, 'return', P0), I));
const APP = must(transition(P1, sign(H, 'approve', P1), H));
const REJ = must(transition(P1, sign(H, 'reject', P1), H));
const WD = must(transition(P0, { type: 'withdraw', at: T0 }, R));
const states = { P0, P1, RET, APP, REJ, WD } as const;
type StateKey = keyof typeof states;
Object.values(states).forEach(deepFreeze);

type Expect = { ok: Pick<AccountRequest, 'status' | 'currentStep' | 'round'> } | { code: string };
const C = ErrorCodes;
const decisionRow = (ok: 'pending1' | 'approved' | 'rejected' | 'returned'): Record<StateKey, Record<ActorKey, Expect>> => {
  const okAt = (s: AccountRequest): Expect =>
    ok === 'pending1' && s === P0
      ? { ok: { status: 'pending', currentStep: 1, round: 1 } }
      : { ok: { status: ok === 'pending1' ? 'approved' : ok, currentStep: s.currentStep, round: 1 } };
  const decided = { code: C.APPROVAL_ALREADY_DECIDED };
  return {
    P0: { R: { code: C.APPROVAL_OWN_REQUEST }, I: okAt(P0), H: { code: C.APPROVAL_NOT_APPROVER }, D: { code: C.APPROVAL_NOT_APPROVER }, S: { code: C.APPROVAL_NOT_APPROVER } },
    P1: { R: { code: C.APPROVAL_OWN_REQUEST }, I: { code: C.APPROVAL_NOT_APPROVER }, H: okAt(P1), D: { code: C.APPROVAL_NOT_APPROVER }, S: { code: C.APPROVAL_NOT_APPROVER } },
    RET: { R: decided, I: decided, H: decided, D: decided, S: decided },
    APP: { R: decided, I: decided, H: decided, D: decided, S: decided },
    REJ: { R: decided, I: decided, H: decided, D: decided, S: decided },
    WD: { R: { code: C.REQUEST_NOT_PENDING }, I: { code: C.REQUEST_NOT_PENDING }, H: { code: C.REQUEST_NOT_PENDING }, D: { code: C.REQUEST_NOT_PENDING }, S: { code: C.REQUEST_NOT_PENDING } },
  };
};
const others = (code: string, rCase: Expect): Record<ActorKey, Expect> => ({ R: rCase, I: { code }, H: { code }, D: { code }, S: { code } });

/** The full table: every state × event × actor, with the expected outcome written out. */
const table: Record<RequestEvent['type'], Record<StateKey, Record<ActorKey, Expect>>> = {
  approve: decisionRow('pending1'),
  reject: decisionRow('rejected'),
  return: decisionRow('returned'),
  resubmit: {
    P0: others(C.REQUEST_NOT_REQUESTER, { code: C.REQUEST_NOT_RETURNED }),
    P1: others(C.REQUEST_NOT_REQUESTER, { code: C.REQUEST_NOT_RETURNED }),
    RET: others(C.REQUEST_NOT_REQUESTER, { ok: { status: 'pending', currentStep: 0, round: 2 } }),
    APP: others(C.REQUEST_NOT_REQUESTER, { code: C.REQUEST_NOT_RETURNED }),
    REJ: others(C.REQUEST_NOT_REQUESTER, { code: C.REQUEST_NOT_RETURNED }),
    WD: others(C.REQUEST_NOT_REQUESTER, { code: C.REQUEST_NOT_RETURNED }),
  },
  // People never escalate: only the system actor can (tested below).
  escalate: Object.fromEntries(
    (['P0', 'P1', 'RET', 'APP', 'REJ', 'WD'] as const).map((k) => [k, others(C.APPROVAL_NOT_APPROVER, { code: C.APPROVAL_NOT_APPROVER })]),
  ) as Record<StateKey, Record<ActorKey, Expect>>,
  // Nor does anyone hand over a leaver's steps: only the system actor can (tested below).
  approverLeft: Object.fromEntries(
    (['P0', 'P1', 'RET', 'APP', 'REJ', 'WD'] as const).map((k) => [k, others(C.APPROVAL_NOT_APPROVER, { code: C.APPROVAL_NOT_APPROVER })]),
  ) as Record<StateKey, Record<ActorKey, Expect>>,
  withdraw: {
    P0: others(C.REQUEST_NOT_REQUESTER, { ok: { status: 'withdrawn', currentStep: 0, round: 1 } }),
    P1: others(C.REQUEST_NOT_REQUESTER, { ok: { status: 'withdrawn', currentStep: 1, round: 1 } }),
    RET: others(C.REQUEST_NOT_REQUESTER, { ok: { status: 'withdrawn', currentStep: 0, round: 1 } }),
    APP: others(C.REQUEST_NOT_REQUESTER, { code: C.REQUEST_NOT_PENDING }),
    REJ: others(C.REQUEST_NOT_REQUESTER, { code: C.REQUEST_NOT_PENDING }),
    WD: others(C.REQUEST_NOT_REQUESTER, { code: C.REQUEST_NOT_PENDING }),
  },
};

function eventFor(type: RequestEvent['type'], s: AccountRequest, a: Actor): RequestEvent {
  if (type === 'escalate') return { type, step: s.currentStep, round: s.round, to: D, at: T1 };
  if (type === 'resubmit') return { type, details, steps, at: T1 };
  if (type === 'withdraw') return { type, at: T1 };
  if (type === 'approverLeft') return { type, round: s.round, from: s.steps[s.currentStep].approverId, to: D, at: T1 };
  return { type, step: s.currentStep, round: s.round, signature: a.name, comment: 'a reason', at: T1 };
}

const cases = Object.entries(table).flatMap(([event, rows]) =>
  Object.entries(rows).flatMap(([state, byActor]) => Object.entries(byActor).map(([actor, expected]) => ({ event, state, actor, expected }))),
);

describe('request approval workflow: state × event × actor', () => {
  test('the table covers every combination', () => {
    expect(cases).toHaveLength(7 * 6 * 5);
  });

  test.each(cases)('$event on $state by $actor', ({ event, state, actor, expected }) => {
    const s = states[state as StateKey];
    const a = actors[actor as ActorKey];
    const result = transition(s, eventFor(event as RequestEvent['type'], s, a), a);
    if ('code' in expected) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe(expected.code);
    } else {
      expect(result.ok).toBe(true);
      if (result.ok) {
        const next = result.value.state;
        expect({ status: next.status, currentStep: next.currentStep, round: next.round }).toEqual(expected.ok);
        expect(next.updatedAt).toBe(T1);
      }
    }
  });
});

describe('decisions record who, the typed name, server time and comment', () => {
  test('approve at step 0 stores the decision on the step', () => {
    const next = must(transition(P0, { type: 'approve', step: 0, round: 1, signature: '  Gareth Lloyd ', comment: ' ok ', at: T1 }, I));
    expect(next.steps[0].decision).toEqual({ outcome: 'approved', actorId: I.id, actorName: I.name, signature: 'Gareth Lloyd', comment: 'ok', at: T1 });
  });
  test.each(['approve', 'reject', 'return'] as const)('%s needs a typed signature', (type) => {
    const r = transition(P0, { type, step: 0, round: 1, signature: '  ', comment: 'x', at: T1 }, I);
    expect(!r.ok && r.error.code).toBe(C.APPROVAL_SIGNATURE_REQUIRED);
    expect(!r.ok && r.error.fields?.signature).toBeTruthy();
  });
  test('reject needs a reason; return needs a comment; approve does not', () => {
    const reject = transition(P0, { type: 'reject', step: 0, round: 1, signature: I.name, comment: ' ', at: T1 }, I);
    const ret = transition(P0, { type: 'return', step: 0, round: 1, signature: I.name, comment: '', at: T1 }, I);
    const approve = transition(P0, { type: 'approve', step: 0, round: 1, signature: I.name, comment: '', at: T1 }, I);
    expect(!reject.ok && reject.error.code).toBe(C.APPROVAL_REASON_REQUIRED);
    expect(!ret.ok && ret.error.code).toBe(C.APPROVAL_COMMENT_REQUIRED);
    expect(approve.ok).toBe(true);
  });
  test.each(['approve', 'reject', 'return'] as const)('%s refuses a password in the comment, beside it; words about passwords are fine', (type) => {
    const r = transition(P0, { type, step: 0, round: 1, signature: I.name, comment: 'The login is admin, password: Summer2024', at: T1 }, I);
    expect(!r.ok && r.error.code).toBe(C.INPUT_PASSWORD);
    expect(!r.ok && r.error.fields?.comment).toMatch(/^Comment: Do not type a password here: record only where the login is held/);
    expect(transition(P0, { type, step: 0, round: 1, signature: I.name, comment: 'Make sure the password is held by the network manager.', at: T1 }, I).ok).toBe(true);
  });
  test.each([
    ['Mickey Mouse', false],
    ['Priya Raman', false],
    ['gareth lloyd', true],
    ['G. Lloyd', true],
    ['Gareth  Owen Lloyd', true],
    ['Garéth Lloyd', true],
    ['Lloyd', false],
  ])('the typed signature must be the approver’s own name: %s → %s', (typed, accepted) => {
    const r = transition(P0, { type: 'approve', step: 0, round: 1, signature: typed, comment: '', at: T1 }, I);
    expect(r.ok).toBe(accepted);
    if (!r.ok) {
      expect(r.error.code).toBe(C.APPROVAL_SIGNATURE_MISMATCH);
      expect(r.error.fields?.signature).toContain(I.name);
    }
  });
  test('a wrong name and a missing reason are both reported, each beside its field', () => {
    const r = transition(P0, { type: 'reject', step: 0, round: 1, signature: 'Mickey Mouse', comment: '', at: T1 }, I);
    expect(!r.ok && Object.keys(r.error.fields ?? {}).sort()).toEqual(['comment', 'signature']);
  });
  test('a late click on an old step says who already decided it', () => {
    const r = transition(P1, { type: 'approve', step: 0, round: 1, signature: I.name, comment: '', at: T1 }, I);
    expect(!r.ok && r.error.code).toBe(C.APPROVAL_ALREADY_DECIDED);
    expect(!r.ok && r.error.decidedBy?.name).toBe(I.name);
  });
  test('a card from an earlier round is out of date after resubmission', () => {
    const again = must(transition(RET, { type: 'resubmit', details, steps, at: T1 }, R));
    const r = transition(again, { type: 'approve', step: 1, round: 1, signature: H.name, comment: '', at: T1 }, H);
    expect(!r.ok && r.error.code).toBe(C.REQUEST_NOT_PENDING);
    expect(again.steps.every((s) => !s.decision)).toBe(true);
  });
});

describe('escalation by the system', () => {
  const esc = (s: AccountRequest, to = D) => transition(s, { type: 'escalate', step: s.currentStep, round: s.round, to, at: T1 }, SYSTEM_ACTOR);
  test('moves a pending step to the deputy, who can then decide', () => {
    const next = must(esc(P0));
    expect([next.steps[0].approverId, next.steps[0].delegated, next.status]).toEqual([D.id, true, 'pending']);
    expect(must(transition(next, { type: 'approve', step: 0, round: 1, signature: D.name, comment: '', at: T1 }, D)).currentStep).toBe(1);
    expect(transition(next, { type: 'approve', step: 0, round: 1, signature: I.name, comment: '', at: T1 }, I).ok).toBe(false);
  });
  test.each(['RET', 'APP', 'REJ', 'WD'] as const)('does nothing once the request is %s', (k) => {
    expect(!esc(states[k]).ok && (esc(states[k]) as any).error.code).toBe(C.REQUEST_NOT_PENDING);
  });
  test('never escalates to the requester', () => {
    expect(esc(P0, R).ok).toBe(false);
  });
});

describe('an approver who left: their steps go to the deputy', () => {
  const left = (s: AccountRequest, from: string, to = D) => transition(s, { type: 'approverLeft', round: s.round, from, to, at: T1 }, SYSTEM_ACTOR);
  test('the current step moves to the deputy, delegated, who can then decide', () => {
    const next = must(left(P0, I.id));
    expect([next.steps[0].approverId, next.steps[0].delegated, next.status, next.currentStep]).toEqual([D.id, true, 'pending', 0]);
    expect(next.steps[1].approverId).toBe(H.id);
    expect(must(transition(next, { type: 'approve', step: 0, round: 1, signature: D.name, comment: '', at: T1 }, D)).currentStep).toBe(1);
  });
  test('a later step they hold moves too, before it is reached', () => {
    const next = must(left(P0, H.id));
    expect(next.steps.map((s) => [s.approverId, s.delegated])).toEqual([[I.id, false], [D.id, true]]);
  });
  test('a step already decided stays theirs, and a leaver with nothing left to decide is no change', () => {
    expect(!left(P1, I.id).ok && (left(P1, I.id) as any).error.code).toBe(C.REQUEST_NOT_PENDING);
  });
  test.each(['RET', 'APP', 'REJ', 'WD'] as const)('does nothing once the request is %s', (k) => {
    expect(left(states[k], H.id).ok).toBe(false);
  });
  test('never to the requester, nor back to the leaver', () => {
    expect(!left(P0, I.id, R).ok && (left(P0, I.id, R) as any).error.code).toBe(C.ROUTING_NO_APPROVER);
    expect(left(P0, I.id, I).ok).toBe(false);
  });
  test('the deputy is asked and reminded, and the requester told', () => {
    const r = left(P0, I.id);
    expect(r.ok && r.value.effects.map((e) => (e.kind === 'notify' ? `notify ${e.to === D.id ? 'D' : e.to === R.id ? 'R' : e.to} ${e.message}` : e.kind === 'schedule' ? `schedule ${e.key}` : e.kind))).toEqual([
      'refreshSentCards',
      'notify D approvalNeeded',
      'notify R requestUpdated',
      'schedule approval-remind:r1:1:0',
    ]);
  });
});

describe('routing', () => {
  const people = { ictLeader: demoPeople.ictLeader, headTeacher: demoPeople.headTeacher, deputy: demoPeople.deputy };
  test('ICT leader, then head teacher', () => {
    const r = routeRequest(R.id, people);
    expect(r.ok && r.value.map((s) => s.approverId)).toEqual([I.id, H.id]);
  });
  test('the ICT leader’s own request goes to the deputy at step one', () => {
    const r = routeRequest(I.id, people);
    expect(r.ok && r.value.map((s) => [s.approverId, s.delegated])).toEqual([
      [D.id, true],
      [H.id, false],
    ]);
  });
  test('the head teacher’s own request goes to the deputy at the final step', () => {
    const r = routeRequest(H.id, people);
    expect(r.ok && r.value.map((s) => s.approverId)).toEqual([I.id, D.id]);
  });
  test('with no deputy, a self-routed step is refused rather than self-approved', () => {
    const r = routeRequest(I.id, { ...people, deputy: undefined });
    expect(!r.ok && r.error.code).toBe(C.ROUTING_NO_APPROVER);
  });
});

describe('effects: what each transition implies, as data', () => {
  /** A compact picture of the effects: kind and whom, in order. */
  const summary = (effects: RequestEffect[]) =>
    effects.map((e) => {
      switch (e.kind) {
        case 'notify':
          return `notify ${Object.entries(actors).find(([, a]) => a.id === e.to)?.[0] ?? e.to} ${e.message}`;
        case 'schedule':
          return `schedule ${e.job} ${e.key}`;
        case 'recordDecision':
          return `record ${e.decision.outcome} step ${e.step}`;
        default:
          return e.kind;
      }
    });
  const run = (s: AccountRequest, type: 'approve' | 'reject' | 'return', a: Actor) => {
    const r = transition(s, { type, step: s.currentStep, round: s.round, signature: a.name, comment: 'why', at: T1 }, a);
    if (!r.ok) throw new Error(r.error.code);
    return r.value.effects;
  };

  test('submitting asks the first approver and books their reminder', () => {
    const t = submitRequest({ id: 'r9', schoolId: 'larkfield', reference: 'CS-0009', requester: R, details, steps, at: T0 });
    expect(summary(t.effects)).toEqual(['notify I approvalNeeded', 'schedule approval.remind approval-remind:r9:1:0']);
  });
  test('the ICT leader approves: decision kept, cards refreshed, the head asked, the requester told, the head reminded later', () => {
    expect(summary(run(P0, 'approve', I))).toEqual([
      'record approved step 0',
      'refreshSentCards',
      'notify H approvalNeeded',
      'notify R requestUpdated',
      'schedule approval.remind approval-remind:r1:1:1',
    ]);
  });
  test('the final approval registers the account, tells its administrators and books closure and review', () => {
    const withAdmins = deepFreeze({ ...P1, details: { ...details, administrators: [{ id: S.id, name: S.name }, { id: D.id, name: D.name }], closure: '2027-07-20' } });
    expect(summary(run(withAdmins, 'approve', H))).toEqual([
      'record approved step 1',
      'refreshSentCards',
      'notify R requestUpdated',
      'registerAccount',
      'notify S accountApproved',
      'notify D accountApproved',
      'schedule account.closure-reminder account-closure:r1',
      'schedule account.annual-review account-review:r1:1',
    ]);
  });
  test.each(['reject', 'return'] as const)('%s: decision kept, cards refreshed, the requester told, no one else asked', (type) => {
    expect(summary(run(P1, type, H))).toEqual([`record ${type === 'reject' ? 'rejected' : 'returned'} step 1`, 'refreshSentCards', 'notify R requestUpdated']);
  });
  test('withdrawing only refreshes the cards already sent (the requester has their answer in place)', () => {
    const r = transition(P1, { type: 'withdraw', at: T1 }, R);
    expect(r.ok && summary(r.value.effects)).toEqual(['refreshSentCards']);
  });
  test('resubmitting starts a new round: the first approver is asked again and reminded under a new key', () => {
    const r = transition(RET, { type: 'resubmit', details, steps, at: T1 }, R);
    expect(r.ok && summary(r.value.effects)).toEqual(['refreshSentCards', 'notify I approvalNeeded', 'schedule approval.remind approval-remind:r1:2:0']);
  });
  test('escalation asks the deputy and tells the requester', () => {
    const r = transition(P0, { type: 'escalate', step: 0, round: 1, to: D, at: T1 }, SYSTEM_ACTOR);
    expect(r.ok && summary(r.value.effects)).toEqual(['refreshSentCards', 'notify D approvalNeeded', 'notify R requestUpdated']);
  });
  test('a refused transition implies nothing', () => {
    expect(transition(P0, { type: 'withdraw', at: T1 }, I).ok).toBe(false);
  });
});

describe('who may do what: one function for the cards, the bot and the workflow', () => {
  const allowedFor = (s: AccountRequest, a: Actor, roles: SchoolRole[] = []) =>
    Object.entries(requestPermissions(s, { id: a.id, roles }))
      .filter(([, p]) => p.allowed)
      .map(([k]) => k);
  test.each([
    ['P0', 'R', ['withdraw', 'view']],
    ['P0', 'I', ['decide', 'view']],
    ['P0', 'H', ['view']],
    ['P0', 'S', []],
    ['P1', 'I', ['view']],
    ['P1', 'H', ['decide', 'view']],
    ['RET', 'R', ['withdraw', 'edit', 'resubmit', 'view']],
    ['RET', 'I', ['view']],
    ['APP', 'R', ['view']],
    ['WD', 'R', ['view']],
  ] as const)('%s for %s: %j', (state, actor, expected) => {
    expect(allowedFor(states[state], actors[actor])).toEqual(expected);
  });
  test('overseers may view any request but decide only their own step', () => {
    expect(allowedFor(P0, S, ['policyAdmin'])).toEqual(['view']);
    expect(allowedFor(P0, D, ['deputyHead'])).toEqual(['view']);
  });
  test('every refusal carries a stable code and a sentence', () => {
    const p = requestPermissions(P0, { id: S.id });
    expect(p.decide.reason?.code).toBe(C.APPROVAL_NOT_APPROVER);
    expect(p.withdraw.reason?.code).toBe(C.REQUEST_NOT_REQUESTER);
    expect(p.view.reason?.message).toMatch(/not yours/);
  });
});

describe('a request keeps its school', () => {
  test('through every transition, and the register entry inherits it', () => {
    for (const s of Object.values(states)) expect(s.schoolId).toBe('larkfield');
    expect(registerAccount(APP, 'a1', T0).schoolId).toBe('larkfield');
    expect(registerAccount({ ...APP, schoolId: 'other-school' }, 'a2', T0).schoolId).toBe('other-school');
  });
});
