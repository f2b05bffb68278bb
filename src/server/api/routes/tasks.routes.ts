import { z } from 'zod';
import { declarationCard } from '../../../cards/declaration.card';
import { decisionLine, requestAnswers, requestCard } from '../../../cards/request.card';
import type { DeclarationDetail, ReceiptAnswer, RequestChanged, RequestDetail, SignAnswer, TasksResponse } from '../../../contract/tasks';
import { decisionVerbs } from '../../../contract/tasks';
import { formatMoment } from '../../../domain/display-dates';
import { requestPermissions } from '../../../domain/request-permissions';
import type { DecisionVerb } from '../../../services/account-requests.service';
import { receiptFileName, receiptHtml } from '../../../services/receipt.html';
import type { ApiDeps } from '../api-deps';
import { ApiError, unwrap } from '../api-error';
import { route, type ApiContext, type ApiRoute } from '../router';
import { requestSummary, requestTimeline } from './request-views';

const id = z.string().trim().min(1, 'give an id').max(100, 'keep it under 100 characters');

const decisionInput = z.object({
  id,
  verb: z.enum(decisionVerbs, { message: `one of ${decisionVerbs.join(', ')}` }),
  step: z.number({ message: 'the step number from the card' }).int().min(0).max(1000),
  round: z.number({ message: 'the round number from the card' }).int().min(1).max(1000),
  // The same bounds as the card's inputs (bot/card-data.ts), with the same words.
  signature: z.string({ message: 'type your name as text' }).max(200, 'Signature: keep it under 200 characters.').default(''),
  comment: z.string({ message: 'write the comment as text' }).max(2000, 'Comment: keep it under 2,000 characters.').default(''),
});

const signInput = z.object({
  versionId: id,
  typedName: z.string({ message: 'type your name as text' }).max(2000, 'keep it under 2,000 characters').default(''),
  confirm: z.boolean({ message: 'true or false' }).default(false),
  campaignId: id.optional(),
});

/** The person as the services want them: the staff record makes the school theirs. */
const actorOf = (ctx: ApiContext) => ({ ...ctx.actor, staff: ctx.me });

/**
 * My tasks: declarations to sign, my requests, approvals waiting for me, and a
 * request's page. Cards come from the one builder in src/cards, drawn for the
 * person asking, so the tab shows what the bot sends them.
 */
export function tasksRoutes(d: ApiDeps): ApiRoute[] {
  const tz = d.timeZone;
  const summary = (ctx: ApiContext) => (r: Parameters<typeof requestSummary>[0]) => requestSummary(r, { timeZone: tz, viewerId: ctx.me.id });

  return [
    route({
      method: 'get',
      path: '/tasks',
      page: 'tasks',
      async handle(ctx): Promise<TasksResponse> {
        const [outstanding, signed, mine, awaiting] = await Promise.all([
          d.declarations.outstanding(ctx.me.id),
          d.declarations.signedBy(ctx.me.id),
          d.requests.listMine(ctx.me.id),
          d.requests.listAwaiting(ctx.me.id),
        ]);
        return {
          declarations: outstanding.map((v) => ({ versionId: v.id, policyId: v.policyId, title: v.title, versionLabel: v.versionLabel, effectiveDate: v.effectiveDate })),
          signed: signed.map(({ declaration: s, version: v }) => ({ versionId: s.versionId, policyId: s.policyId, title: v?.title ?? s.versionLabel, versionLabel: s.versionLabel, signedAt: s.signedAt })),
          requests: mine.map(summary(ctx)),
          approvals: awaiting.map((r) => ({ request: summary(ctx)(r), card: requestCard(r, { viewerId: ctx.me.id, timeZone: tz }) })),
        };
      },
    }),

    // A request's page, from My tasks (requester, approvers) and Approvals (those who oversee): the view rule decides.
    route({
      method: 'get',
      path: '/requests/:id',
      page: 'any',
      input: z.object({ id }),
      async handle(ctx, { id: requestId }): Promise<RequestDetail> {
        const h = unwrap(await d.requests.history(ctx.viewer, requestId));
        const allowed = requestPermissions(h.request, ctx.viewer);
        return {
          request: summary(ctx)(h.request),
          answers: requestAnswers(h.request),
          timeline: requestTimeline(h.request, h.decisions, h.audit),
          allowed: { decide: allowed.decide.allowed, withdraw: allowed.withdraw.allowed },
          card: requestCard(h.request, { viewerId: ctx.me.id, timeZone: tz }),
        };
      },
    }),

    // The approval card's Action.Execute: approve, reject or return, as the chat does it.
    route({
      method: 'post',
      path: '/requests/:id/decision',
      page: 'tasks',
      input: decisionInput,
      async handle(ctx, input): Promise<RequestChanged> {
        const verb = input.verb.slice('approval.'.length) as DecisionVerb;
        const after = unwrap(await d.requests.decide(actorOf(ctx), verb, { requestId: input.id, step: input.step, round: input.round, signature: input.signature, comment: input.comment }));
        const decided = after.steps[input.step]?.decision;
        const message = decided ? decisionLine(decided, tz) : 'Done.';
        return { message, request: summary(ctx)(after), card: requestCard(after, { viewerId: ctx.me.id, timeZone: tz, banner: message, bannerTone: 'good' }) };
      },
    }),

    route({
      method: 'post',
      path: '/requests/:id/withdraw',
      page: 'tasks',
      input: z.object({ id }),
      async handle(ctx, { id: requestId }): Promise<RequestChanged> {
        const after = unwrap(await d.requests.withdraw(actorOf(ctx), requestId));
        const message = 'Withdrawn.';
        return { message, request: summary(ctx)(after), card: requestCard(after, { viewerId: ctx.me.id, timeZone: tz, banner: message, bannerTone: 'good' }) };
      },
    }),

    route({
      method: 'get',
      path: '/declarations/:versionId',
      page: 'tasks',
      input: z.object({ versionId: id }),
      async handle(ctx, { versionId }): Promise<DeclarationDetail> {
        const v = unwrap(await d.declarations.view(ctx.me.id, versionId));
        return {
          versionId: v.version.id,
          title: v.version.title,
          versionLabel: v.version.versionLabel,
          signed: !!v.declaration,
          card: declarationCard({ version: v.version, current: v.current, declaration: v.declaration, readLink: d.policyLink(ctx.me.id, v.version.id), opened: v.opened, timeZone: tz }),
        };
      },
    }),

    // A signature's receipt: the signer's own, or (policy admins) anyone's at their school; the domain's rule decides.
    route({
      method: 'get',
      path: '/receipts/:versionId',
      page: 'any',
      input: z.object({ versionId: id, person: id.optional() }),
      async handle(ctx, input): Promise<ReceiptAnswer> {
        const r = unwrap(await d.receipts.receipt(ctx.me, input.person ?? ctx.me.id, input.versionId));
        return { fileName: receiptFileName(r.signerId, r.versionLabel), html: receiptHtml(r, { generatedAt: d.clock.now().toISOString() }), recorded: !!r.chain };
      },
    }),

    // The declaration card's Sign, with the same rules and words as the chat (the declaration service decides).
    route({
      method: 'post',
      path: '/declarations/:versionId/sign',
      page: 'tasks',
      input: signInput,
      async handle(ctx, input): Promise<SignAnswer> {
        const result = unwrap(await d.declarations.sign(actorOf(ctx), { versionId: input.versionId, campaignId: input.campaignId ?? null, typedName: input.typedName, confirmed: input.confirm }));
        const v = unwrap(await d.declarations.view(ctx.me.id, input.versionId));
        const message =
          result.kind === 'alreadySigned'
            ? `Already signed on ${formatMoment(result.declaration.signedAt, tz)}. Nothing has changed.`
            : `Signed on ${formatMoment(result.declaration.signedAt, tz)}. Thank you.`;
        if (!v.declaration) throw new ApiError(500, 'DECLARATION.NOT_SAVED', 'The signature was not saved. Try again.');
        return {
          message,
          signed: true,
          card: declarationCard({ version: v.version, current: v.current, declaration: v.declaration, readLink: d.policyLink(ctx.me.id, v.version.id), opened: v.opened, timeZone: tz, banner: message }),
        };
      },
    }),
  ];
}
