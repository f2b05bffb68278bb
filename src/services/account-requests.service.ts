import type { AccountRequest } from '../domain/account-request';
import { currentApprover } from '../domain/account-request';
import { openRequest, transition, type RequestEvent } from '../domain/approval.workflow';
import { ConflictError, domainError, ErrorCodes, type DomainError } from '../domain/errors';
import type { Actor, StaffMember } from '../domain/people';
import { formValues, parseRequestForm, type FieldErrors, type RequestFormValues } from '../domain/request-form.schema';
import { err, ok, type Result } from '../domain/result';
import { routeRequest } from '../domain/routing';
import type { Background } from '../ports/background';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { IdSource } from '../ports/ids';
import type { Notifier } from '../ports/notifier';
import type { AuditEntry, RegisteredAccount, Store } from '../ports/store';

export interface AccountRequestDeps {
  store: Store;
  directory: Directory;
  clock: Clock;
  ids: IdSource;
  notifier: Notifier;
  background: Background;
  /** The school's local date for a moment, YYYY-MM-DD. */
  localDate?: (d: Date) => string;
}

/** A form that did not validate: the field errors, and what the person typed, so nothing is lost. */
export interface FormRejection {
  code: typeof ErrorCodes.REQUEST_INVALID;
  fields: FieldErrors;
  values: RequestFormValues;
  requestId?: string;
}

export type DecisionVerb = 'approve' | 'reject' | 'return';

export interface DecisionInput {
  requestId: string;
  step: number;
  round: number;
  signature: string;
  comment: string;
}

/** How many times a change is retried after losing an optimistic-concurrency race before giving up. */
const MAX_CONFLICT_RETRIES = 5;

const snapshot = (r: AccountRequest | undefined) =>
  r ? JSON.stringify({ status: r.status, step: r.currentStep, round: r.round, approverId: currentApprover(r)?.approverId ?? null }) : null;

/** Use cases for social media account requests: submit, decide, resubmit, withdraw, view. */
export class AccountRequestService {
  constructor(private readonly deps: AccountRequestDeps) {}

  private today(): string {
    const now = this.deps.clock.now();
    return this.deps.localDate ? this.deps.localDate(now) : now.toISOString().slice(0, 10);
  }

  /** What a blank or pre-filled form needs: the staff who can be named, and today's date. */
  async formContext(): Promise<{ staff: StaffMember[]; today: string }> {
    const staff = await this.deps.directory.listStaff();
    return { staff, today: this.today() };
  }

  private async parse(input: unknown) {
    const staff = await this.deps.directory.listStaff();
    return parseRequestForm(input, { today: this.today(), staff: new Map(staff.map((s) => [s.id, s])) });
  }

  private audit(actor: Actor, request: AccountRequest, action: string, before: AccountRequest | undefined, at: string): AuditEntry {
    return {
      id: this.deps.ids.next(),
      entityType: 'request',
      entityId: request.id,
      actorId: actor.id,
      actorName: actor.name,
      action,
      at,
      before: snapshot(before),
      after: snapshot(request),
    };
  }

  async submit(actor: Actor, input: unknown): Promise<Result<AccountRequest, FormRejection | DomainError>> {
    const parsed = await this.parse(input);
    if (!parsed.ok) return err({ code: ErrorCodes.REQUEST_INVALID, fields: parsed.error, values: formValues(input) });
    const route = await this.route(actor.id);
    if (!route.ok) return route;
    const at = this.deps.clock.now().toISOString();
    const request = openRequest({
      id: this.deps.ids.next(),
      reference: await this.deps.store.nextReference(),
      requester: actor,
      details: parsed.value,
      steps: route.value,
      at,
    });
    const saved = await this.deps.store.saveRequestChange({ request, audit: this.audit(actor, request, 'request.submit', undefined, at) });
    this.afterChange(actor, saved.value);
    return ok(saved.value);
  }

  private async route(requesterId: string) {
    const [ictLeader] = await this.deps.directory.findByRole('ictLeader');
    const [headTeacher] = await this.deps.directory.findByRole('headTeacher');
    const [deputy] = await this.deps.directory.findByRole('deputyHead');
    return routeRequest(requesterId, { ictLeader, headTeacher, deputy });
  }

  async decide(actor: Actor, verb: DecisionVerb, input: DecisionInput): Promise<Result<AccountRequest, DomainError>> {
    return this.change(actor, input.requestId, `approval.${verb}`, async () => ({
      type: verb,
      step: input.step,
      round: input.round,
      signature: input.signature,
      comment: input.comment,
      at: this.deps.clock.now().toISOString(),
    }));
  }

  async withdraw(actor: Actor, requestId: string): Promise<Result<AccountRequest, DomainError>> {
    return this.change(actor, requestId, 'request.withdraw', async () => ({ type: 'withdraw', at: this.deps.clock.now().toISOString() }));
  }

  async resubmit(actor: Actor, requestId: string, input: unknown): Promise<Result<AccountRequest, DomainError | FormRejection>> {
    const parsed = await this.parse(input);
    if (!parsed.ok) return err({ code: ErrorCodes.REQUEST_INVALID, fields: parsed.error, values: formValues(input), requestId });
    const route = await this.route(actor.id);
    if (!route.ok) return route;
    return this.change(actor, requestId, 'request.resubmit', async () => ({
      type: 'resubmit',
      details: parsed.value,
      steps: route.value,
      at: this.deps.clock.now().toISOString(),
    }));
  }

  /**
   * Load, transition, save guarded by the etag; on a lost race, reload and try
   * again, so the loser sees the winner's decision ("already decided by …").
   */
  private async change(
    actor: Actor,
    requestId: string,
    action: string,
    makeEvent: () => Promise<RequestEvent>,
  ): Promise<Result<AccountRequest, DomainError>> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.deps.store.getRequest(requestId);
      if (!current) return err(domainError(ErrorCodes.REQUEST_NOT_FOUND, 'That request no longer exists.'));
      const event = await makeEvent();
      const next = transition(current.value, event, actor);
      if (!next.ok) return next;
      const request = next.value;
      const decisionStep = current.value.currentStep;
      const decision =
        event.type === 'approve' || event.type === 'reject' || event.type === 'return'
          ? { ...request.steps[decisionStep].decision!, id: this.deps.ids.next(), requestId, round: request.round, step: decisionStep, role: request.steps[decisionStep].role }
          : undefined;
      const account = request.status === 'approved' ? this.registerAccount(request, event.at) : undefined;
      try {
        const saved = await this.deps.store.saveRequestChange({
          request,
          expectedEtag: current.etag,
          decision,
          account,
          audit: this.audit(actor, request, action, current.value, event.at),
        });
        this.afterChange(actor, saved.value, account);
        return ok(saved.value);
      } catch (e) {
        if (e instanceof ConflictError && attempt < MAX_CONFLICT_RETRIES) continue;
        throw e;
      }
    }
  }

  private registerAccount(r: AccountRequest, at: string): RegisteredAccount {
    return {
      id: this.deps.ids.next(),
      requestId: r.id,
      reference: r.reference,
      department: r.details.department,
      platform: r.details.platform,
      host: r.details.host,
      visibility: r.details.visibility,
      administrators: r.details.administrators,
      moderators: r.details.moderators,
      goLive: r.details.goLive,
      closure: r.details.closure,
      approvedAt: at,
      ownerId: r.requesterId,
      ownerName: r.requesterName,
    };
  }

  /** Fan-out after the change is stored: the clicking user already has their answer. */
  private afterChange(actor: Actor, request: AccountRequest, account?: RegisteredAccount) {
    const { notifier, background } = this.deps;
    background.run(`notify ${request.reference} ${request.status}`, async () => {
      await notifier.refreshSentCards(request);
      if (request.status === 'pending') await notifier.approvalNeeded(request);
      // The requester hears of changes other people make; their own actions are answered in place.
      if (actor.id !== request.requesterId) await notifier.requesterUpdated(request);
      if (account) await notifier.accountApproved(account, request);
    });
  }

  /** A request as `viewer` may see it: the requester and its approvers only. */
  async view(viewerId: string, requestId: string): Promise<Result<AccountRequest, DomainError>> {
    const found = await this.deps.store.getRequest(requestId);
    if (!found) return err(domainError(ErrorCodes.REQUEST_NOT_FOUND, 'That request no longer exists.'));
    const r = found.value;
    const involved = r.requesterId === viewerId || r.steps.some((s) => s.approverId === viewerId);
    if (!involved) return err(domainError(ErrorCodes.APPROVAL_NOT_APPROVER, 'This request is not yours to see.'));
    return ok(r);
  }

  async listMine(actorId: string): Promise<AccountRequest[]> {
    return this.deps.store.listRequestsByRequester(actorId);
  }

  /** Requests waiting for this person's decision. */
  async listAwaiting(actorId: string): Promise<AccountRequest[]> {
    return this.deps.store.listRequestsAwaiting(actorId);
  }
}
