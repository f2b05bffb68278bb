import type { AccountRequest, ApprovalStep, Decision, DecisionOutcome, RequestDetails } from './account-request';
import type { Actor } from './people';
import { domainError, ErrorCodes, type DomainError } from './errors';
import { plausiblySameName } from './name-match';
import { passwordRefusal } from './no-secrets';
import { accountReminders, defaultWorkflowSettings, remindCurrentStep, type RequestEffect, type WorkflowSettings } from './request-effects';
import { requestRefusal } from './request-permissions';
import { err, ok, type Result } from './result';

/** A decision names the step it was made on, so a late click on an old card is told apart from a fresh one. */
interface DecisionEvent {
  type: 'approve' | 'reject' | 'return';
  step: number;
  round: number;
  signature: string;
  comment: string;
  at: string;
}

export type RequestEvent =
  | DecisionEvent
  | { type: 'resubmit'; details: RequestDetails; steps: ApprovalStep[]; at: string }
  | { type: 'withdraw'; at: string }
  | { type: 'escalate'; step: number; round: number; to: { id: string; name: string }; at: string }
  /** An approver left the staff list (the directory sync marked them left): their undecided steps of this round go to `to`. */
  | { type: 'approverLeft'; round: number; from: string; to: { id: string; name: string }; at: string };

/** The actor for events the system raises itself (reminders, escalations): never a person, never from card data. */
export const SYSTEM_ACTOR = { id: 'system', name: 'Countersign' } as const;

export type RequestEventType = RequestEvent['type'];

/** A transition's outcome: the new state and everything it implies, as data. */
export interface Transitioned {
  state: AccountRequest;
  effects: RequestEffect[];
}

/** Creates a new pending request, at its first step. */
export function openRequest(input: {
  id: string;
  /** The requester's school, from their staff record on the server. */
  schoolId: string;
  reference: string;
  requester: Actor;
  details: RequestDetails;
  steps: ApprovalStep[];
  at: string;
}): AccountRequest {
  return {
    id: input.id,
    schoolId: input.schoolId,
    reference: input.reference,
    requesterId: input.requester.id,
    requesterName: input.requester.name,
    details: input.details,
    status: 'pending',
    steps: input.steps.map((s) => ({ ...s, decision: undefined })),
    currentStep: 0,
    round: 1,
    createdAt: input.at,
    updatedAt: input.at,
  };
}

/** A new request and what submitting it implies: the first approver is asked, and reminded if it waits. */
export function submitRequest(input: Parameters<typeof openRequest>[0], settings: WorkflowSettings = defaultWorkflowSettings): Transitioned {
  const state = openRequest(input);
  return { state, effects: [{ kind: 'notify', to: state.steps[0].approverId, message: 'approvalNeeded' }, remindCurrentStep(state, input.at, settings)] };
}

const outcomeOf: Record<DecisionEvent['type'], DecisionOutcome> = {
  approve: 'approved',
  reject: 'rejected',
  return: 'returned',
};

/**
 * The request-approval workflow: a pure transition. No I/O, no clock; the
 * event carries the server time. Returns the next state with the effects it
 * implies, or a coded error.
 */
export function transition(
  state: AccountRequest,
  event: RequestEvent,
  actor: Actor,
  settings: WorkflowSettings = defaultWorkflowSettings,
): Result<Transitioned, DomainError> {
  const next = nextState(state, event, actor);
  if (!next.ok) return next;
  return ok({ state: next.value, effects: effectsOf(state, next.value, event, actor, settings) });
}

function nextState(state: AccountRequest, event: RequestEvent, actor: Actor): Result<AccountRequest, DomainError> {
  switch (event.type) {
    case 'approve':
    case 'reject':
    case 'return':
      return decide(state, event, actor);
    case 'resubmit':
      return resubmit(state, event, actor);
    case 'withdraw':
      return withdraw(state, event, actor);
    case 'escalate':
      return escalate(state, event, actor);
    case 'approverLeft':
      return approverLeft(state, event, actor);
  }
}

/**
 * What a change implies. Cards already sent are brought up to date after every
 * change; whoever now holds a step is asked; the requester hears of what other
 * people did (their own actions are answered in place); a final approval
 * registers the account, tells its administrators and books its reminders.
 */
function effectsOf(before: AccountRequest, after: AccountRequest, event: RequestEvent, actor: Actor, settings: WorkflowSettings): RequestEffect[] {
  const effects: RequestEffect[] = [];
  if (event.type === 'approve' || event.type === 'reject' || event.type === 'return') {
    const step = before.currentStep;
    effects.push({ kind: 'recordDecision', round: after.round, step, role: after.steps[step].role, decision: after.steps[step].decision! });
  }
  effects.push({ kind: 'refreshSentCards' });
  const asked = after.status === 'pending' ? after.steps[after.currentStep] : undefined;
  const movedOn = asked && (before.status !== 'pending' || before.currentStep !== after.currentStep || before.round !== after.round || before.steps[before.currentStep]?.approverId !== asked.approverId);
  if (asked && movedOn) effects.push({ kind: 'notify', to: asked.approverId, message: 'approvalNeeded' });
  if (actor.id !== after.requesterId) effects.push({ kind: 'notify', to: after.requesterId, message: 'requestUpdated' });
  if (asked && movedOn && event.type !== 'escalate') effects.push(remindCurrentStep(after, event.at, settings));
  if (after.status === 'approved' && before.status !== 'approved') {
    effects.push({ kind: 'registerAccount' });
    for (const admin of after.details.administrators ?? []) effects.push({ kind: 'notify', to: admin.id, message: 'accountApproved' });
    effects.push(...accountReminders(after, event.at));
  }
  return effects;
}

/** A step that waited too long moves to the deputy. Only the system escalates. */
function escalate(state: AccountRequest, event: Extract<RequestEvent, { type: 'escalate' }>, actor: Actor): Result<AccountRequest, DomainError> {
  if (actor.id !== SYSTEM_ACTOR.id) return err(domainError(ErrorCodes.APPROVAL_NOT_APPROVER, 'Only Countersign itself escalates a step.'));
  if (state.status !== 'pending' || event.round !== state.round || event.step !== state.currentStep) {
    return err(domainError(ErrorCodes.REQUEST_NOT_PENDING, 'The step has moved on; nothing to escalate.'));
  }
  const step = state.steps[state.currentStep];
  if (event.to.id === state.requesterId || event.to.id === step.approverId) {
    return err(domainError(ErrorCodes.ROUTING_NO_APPROVER, 'There is no one else to escalate this step to.'));
  }
  const steps = state.steps.map((s, i) => (i === state.currentStep ? { ...s, approverId: event.to.id, approverName: event.to.name, delegated: true } : s));
  return ok({ ...state, steps, updatedAt: event.at });
}

/**
 * Someone who holds a step has left: each step of this round still to be decided that they hold
 * (the current one and any later one) goes to `to`, the deputy, as a delegated step. Only the
 * system does this, from the directory sync; the deputy is asked and reminded as any approver is.
 */
function approverLeft(state: AccountRequest, event: Extract<RequestEvent, { type: 'approverLeft' }>, actor: Actor): Result<AccountRequest, DomainError> {
  if (actor.id !== SYSTEM_ACTOR.id) return err(domainError(ErrorCodes.APPROVAL_NOT_APPROVER, 'Only Countersign itself hands over a leaver\'s steps.'));
  const held = (s: AccountRequest['steps'][number], i: number) => i >= state.currentStep && !s.decision && s.approverId === event.from;
  if (state.status !== 'pending' || event.round !== state.round || !state.steps.some(held)) {
    return err(domainError(ErrorCodes.REQUEST_NOT_PENDING, 'The leaver holds no step of this request that is still to be decided.'));
  }
  if (event.to.id === state.requesterId || event.to.id === event.from) {
    return err(domainError(ErrorCodes.ROUTING_NO_APPROVER, 'There is no one else to hand this step to: ask an administrator to set a deputy.'));
  }
  const steps = state.steps.map((s, i) => (held(s, i) ? { ...s, approverId: event.to.id, approverName: event.to.name, delegated: true } : s));
  return ok({ ...state, steps, updatedAt: event.at });
}

function alreadyDecided(state: AccountRequest, event: DecisionEvent): DomainError | undefined {
  const target = state.steps[event.step];
  const sameRound = event.round === state.round;
  if (sameRound && target?.decision) {
    const d = target.decision;
    return domainError(ErrorCodes.APPROVAL_ALREADY_DECIDED, `Already decided by ${d.actorName} (${d.outcome}) at ${d.at}.`, {
      decidedBy: { name: d.actorName, at: d.at, outcome: d.outcome },
    });
  }
  return undefined;
}

function decide(state: AccountRequest, event: DecisionEvent, actor: Actor): Result<AccountRequest, DomainError> {
  // A click on a step that already has a decision is "already decided", whatever the request's status now.
  const decided = alreadyDecided(state, event);
  if (decided) return err(decided);
  if (state.status === 'pending' && (event.round !== state.round || event.step !== state.currentStep)) {
    return err(
      domainError(ErrorCodes.REQUEST_NOT_PENDING, 'This card is out of date: the request has moved on since it was sent.'),
    );
  }
  const refused = requestRefusal(state, actor, 'decide');
  if (refused) return err(refused);
  const signature = event.signature.trim();
  const comment = event.comment.trim();
  // Every problem at once, each beside its field, so one press shows all there is to fix.
  const fields: Record<string, string> = {};
  let code: DomainError['code'] | undefined;
  const refuse = (c: DomainError['code'], field: string, message: string) => {
    code ??= c;
    fields[field] ??= message;
  };
  if (!signature) refuse(ErrorCodes.APPROVAL_SIGNATURE_REQUIRED, 'signature', 'Type your full name to sign.');
  else if (signature.length > 200 || !plausiblySameName(signature, actor.name)) {
    // The same rule as a declaration's signature: the name held for the approver, forgiving case, accents and a middle name.
    refuse(ErrorCodes.APPROVAL_SIGNATURE_MISMATCH, 'signature', `Sign with your own name as the school holds it (${actor.name}).`);
  }
  if (event.type === 'reject' && !comment) refuse(ErrorCodes.APPROVAL_REASON_REQUIRED, 'comment', 'Give a reason for rejecting.');
  if (event.type === 'return' && !comment) refuse(ErrorCodes.APPROVAL_COMMENT_REQUIRED, 'comment', 'Say what needs to change.');
  // A comment is kept with the decision for years: never a password (no-secrets.ts).
  const secret = passwordRefusal('Comment', comment);
  if (secret) refuse(ErrorCodes.INPUT_PASSWORD, 'comment', secret);
  if (code) return err(domainError(code, Object.values(fields).join(' '), { fields }));
  const decision: Decision = {
    outcome: outcomeOf[event.type],
    actorId: actor.id,
    actorName: actor.name,
    signature,
    comment,
    at: event.at,
  };
  const steps = state.steps.map((s, i) => (i === state.currentStep ? { ...s, decision } : s));
  const isLast = state.currentStep === state.steps.length - 1;
  const status =
    event.type === 'reject' ? 'rejected' : event.type === 'return' ? 'returned' : isLast ? 'approved' : 'pending';
  const currentStep = status === 'pending' ? state.currentStep + 1 : state.currentStep;
  return ok({ ...state, steps, status, currentStep, updatedAt: event.at });
}

function resubmit(
  state: AccountRequest,
  event: Extract<RequestEvent, { type: 'resubmit' }>,
  actor: Actor,
): Result<AccountRequest, DomainError> {
  const refused = requestRefusal(state, actor, 'resubmit');
  if (refused) return err(refused);
  return ok({
    ...state,
    details: event.details,
    status: 'pending',
    steps: event.steps.map((s) => ({ ...s, decision: undefined })),
    currentStep: 0,
    round: state.round + 1,
    updatedAt: event.at,
  });
}

function withdraw(
  state: AccountRequest,
  event: Extract<RequestEvent, { type: 'withdraw' }>,
  actor: Actor,
): Result<AccountRequest, DomainError> {
  const refused = requestRefusal(state, actor, 'withdraw');
  if (refused) return err(refused);
  return ok({ ...state, status: 'withdrawn', updatedAt: event.at });
}
