import {
  TeamsActivityHandler,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type Attachment,
  type ConversationReference,
} from 'botbuilder';
import type { AdaptiveCard } from '../src/cards/ac';
import { helpCard } from '../src/cards/help.card';
import { noticeCard } from '../src/cards/notice.card';
import { requestFormCard } from '../src/cards/request-form.card';
import { decisionLine, requestCard } from '../src/cards/request.card';
import { when } from '../src/cards/ac';
import { statusListCard } from '../src/cards/status-list.card';
import { Verbs } from '../src/cards/verbs';
import { lastDecision, type AccountRequest } from '../src/domain/account-request';
import type { DomainError } from '../src/domain/errors';
import type { Actor } from '../src/domain/people';
import { detailsToFormValues } from '../src/domain/request-form.schema';
import type { Directory } from '../src/ports/directory';
import type { AccountRequestService, DecisionVerb, FormRejection } from '../src/services/account-requests.service';
import { resolveActor } from '../src/services/actors';
import type { ConversationService } from '../src/services/conversations.service';
import { campaignLaunchData, decisionData, declarationData, requestRef, submitEnvelope } from './card-data';
import { declarationCard } from '../src/cards/declaration.card';
import { campaignAlreadyOpenCard, campaignLaunchCard, campaignStatusCard } from '../src/cards/campaign.card';
import type { DeclarationService } from '../src/services/declarations.service';
import type { CampaignService } from '../src/services/campaigns.service';
import { cardMessage } from './teams.notifier';

export interface BotDeps {
  requests: AccountRequestService;
  conversations: ConversationService;
  directory: Directory;
  schoolName: string;
  /** Embedded mode only: lets one Playground window act as any demo person (`as <name>`). */
  allowActAs: boolean;
  declarations: DeclarationService;
  campaigns: CampaignService;
  policyLink: (userId: string, versionId: string) => string;
  /** Writes a CSV export and returns its path and a signed download link. */
  saveExport: (file: string, csv: string) => { path: string; link: string };
  today: () => string;
  log: (msg: string) => void;
}

const decisionVerbs: Record<string, DecisionVerb> = {
  [Verbs.approve]: 'approve',
  [Verbs.reject]: 'reject',
  [Verbs.return]: 'return',
};

const isRejection = (e: FormRejection | DomainError): e is FormRejection => 'values' in e;

/** Turns chat messages and card actions into service calls, and results into cards. Thin on purpose. */
export class CountersignBot extends TeamsActivityHandler {
  /** conversation id → staff id, set by `as <name>` in embedded mode only. */
  private readonly actingAs = new Map<string, string>();

  constructor(private readonly deps: BotDeps) {
    super();
    this.onMessage(async (ctx, next) => {
      await this.remember(ctx);
      await this.handleMessage(ctx);
      await next();
    });
    this.onMembersAdded(async (ctx, next) => {
      await this.remember(ctx);
      const botId = ctx.activity.recipient?.id;
      if ((ctx.activity.membersAdded ?? []).some((m) => m.id !== botId)) {
        await ctx.sendActivity(cardMessage(helpCard({ schoolName: this.deps.schoolName })));
      }
      await next();
    });
  }

  /** Universal Actions: the card in the response replaces the card for the person who clicked. */
  protected async onAdaptiveCardInvoke(ctx: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    await this.remember(ctx);
    const action = value?.action;
    if (action?.type !== 'Action.Execute') {
      return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'Only Action.Execute is supported.' } as any };
    }
    const card = await this.act(ctx, String(action.verb ?? ''), action.data ?? {});
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card as any };
  }

  private async handleMessage(ctx: TurnContext) {
    // Older clients send Action.Submit: a message whose value carries the verb.
    const submitted = submitEnvelope.safeParse(ctx.activity.value);
    if (submitted.success && !ctx.activity.text) {
      await ctx.sendActivity(cardMessage(await this.act(ctx, submitted.data.verb, submitted.data)));
      return;
    }
    const text = TurnContext.removeRecipientMention(ctx.activity)?.trim() ?? ctx.activity.text?.trim() ?? '';
    const [word, ...rest] = text.replace(/<[^>]+>/g, '').trim().split(/\s+/);
    const command = (word ?? '').toLowerCase().replace(/[^a-z]/g, '');
    if (command === 'as' && this.deps.allowActAs) return this.actAs(ctx, rest.join(' '));
    const sub = (rest[0] ?? '').toLowerCase();
    const verb =
      command === 'campaign'
        ? ({ launch: Verbs.campaignNew, status: Verbs.campaignStatus, export: Verbs.campaignExport, close: Verbs.campaignClose, recount: Verbs.campaignRecount } as Record<string, string>)[sub] ?? Verbs.campaignStatus
        : ({ help: Verbs.helpShow, request: Verbs.requestNew, status: Verbs.statusShow, sign: Verbs.declarationShow } as Record<string, string>)[command];
    if (verb) {
      const files: Attachment[] = [];
      await ctx.sendActivity(cardMessage(await this.act(ctx, verb, {}, files)));
      // A chat message can carry the export as a file; an invoke answer (a card) cannot, so the card also links to it.
      if (files.length) await ctx.sendActivity({ type: 'message', text: 'The export, as a CSV file:', attachments: files });
      return;
    }
    await ctx.sendActivity(cardMessage(helpCard({ schoolName: this.deps.schoolName, unknownText: true })));
  }

  /** Embedded mode: "as Gareth" makes this chat act as that demo person, so one window can walk the whole flow. */
  private async actAs(ctx: TurnContext, name: string) {
    const staff = await this.deps.directory.listStaff();
    const wanted = name.toLowerCase().trim();
    const match = staff.find((s) => s.name.toLowerCase() === wanted) ?? staff.find((s) => s.name.toLowerCase().split(' ').includes(wanted));
    if (!match) {
      await ctx.sendActivity(`No one called "${name.slice(0, 60)}" in the demo school. Try: ${staff.map((s) => s.name.split(' ')[0]).join(', ')}.`);
      return;
    }
    this.actingAs.set(ctx.activity.conversation.id, match.id);
    await ctx.sendActivity(`This chat now acts as ${match.name} (${match.jobTitle}). Type "status" to see their requests and approvals.`);
  }

  private async actor(ctx: TurnContext) {
    const override = this.deps.allowActAs ? this.actingAs.get(ctx.activity.conversation.id) : undefined;
    return resolveActor(this.deps.directory, override ?? ctx.activity.from?.aadObjectId);
  }

  /** Stores the conversation reference of every personal chat, so later cards reuse it. */
  private async remember(ctx: TurnContext) {
    const a = ctx.activity;
    const userId = a.from?.aadObjectId;
    if (!userId || a.conversation?.conversationType === 'channel' || a.conversation?.isGroup) return;
    if (this.deps.allowActAs && this.actingAs.has(a.conversation.id)) return;
    const reference = TurnContext.getConversationReference(a) as ConversationReference;
    await this.deps.conversations.remember({
      userId,
      conversationId: a.conversation.id,
      serviceUrl: a.serviceUrl,
      tenantId: a.conversation.tenantId ?? (a.channelData as any)?.tenant?.id ?? '',
      reference: JSON.stringify(reference),
    });
  }

  /** One place that maps a verb to a use case, for Action.Execute and Action.Submit alike. */
  private async act(ctx: TurnContext, verb: string, data: Record<string, unknown>, files: Attachment[] = []): Promise<AdaptiveCard> {
    const who = await this.actor(ctx);
    if (!who.ok) return noticeCard('Countersign', who.error.message);
    const actor: Actor = who.value;
    const { requests } = this.deps;

    switch (verb) {
      case Verbs.helpShow:
        return helpCard({ schoolName: this.deps.schoolName });
      case Verbs.requestNew: {
        const form = await requests.formContext();
        return requestFormCard(form);
      }
      case Verbs.statusShow:
        return statusListCard(await requests.listMine(actor.id), await requests.listAwaiting(actor.id), await this.deps.declarations.outstanding(actor.id));
      case Verbs.declarationShow: {
        const ref = declarationData.partial().safeParse(data);
        return this.declaration(actor, ref.success ? ref.data.versionId : undefined, ref.success ? ref.data.campaignId : undefined);
      }
      case Verbs.declarationSign: {
        const parsed = declarationData.safeParse(data);
        if (!parsed.success) return noticeCard('Countersign', 'This card is missing its policy version. Type “sign” to get the current declaration.');
        const input = parsed.data;
        const result = await this.deps.declarations.sign(actor, { versionId: input.versionId, campaignId: input.campaignId ?? null, typedName: input.typedName, confirmed: input.confirm === 'true' });
        if (result.ok) {
          const banner = result.value.kind === 'alreadySigned' ? `Already signed on ${when(result.value.declaration.signedAt)}. Nothing has changed.` : undefined;
          return this.declaration(actor, input.versionId, input.campaignId, { banner });
        }
        return this.declaration(actor, input.versionId, input.campaignId, {
          errors: { ...result.error.fields, ...(result.error.fields ? {} : { message: result.error.message }) },
          values: { typedName: input.typedName, confirm: input.confirm },
        });
      }
      case Verbs.campaignNew: {
        const versions = await this.deps.declarations.currentVersions();
        const denied = await this.deps.campaigns.progress(actor).then((r) => (!r.ok && r.error.code === 'CAMPAIGN.NOT_ADMIN' ? r.error : undefined));
        if (denied) return noticeCard('Countersign', denied.message);
        return campaignLaunchCard({ versions, today: this.deps.today(), defaultDeadline: inDays(this.deps.today(), 21) });
      }
      case Verbs.campaignLaunch: {
        const parsed = campaignLaunchData.safeParse(data);
        const input = parsed.success ? parsed.data : { versionId: '', deadline: '', reminderEveryDays: NaN };
        const result = await this.deps.campaigns.launch(actor, input);
        if (!result.ok) {
          if (result.error.code === 'CAMPAIGN.NOT_ADMIN') return noticeCard('Countersign', result.error.message);
          if (result.error.openCampaign) return campaignAlreadyOpenCard(result.error.openCampaign, result.error.message);
          const versions = await this.deps.declarations.currentVersions();
          return campaignLaunchCard({
            versions,
            today: this.deps.today(),
            defaultDeadline: inDays(this.deps.today(), 21),
            values: { versionId: String(data.versionId ?? ''), deadline: String(data.deadline ?? ''), reminderEveryDays: String(data.reminderEveryDays ?? '') },
            errors: result.error.fields ?? { versionId: result.error.message },
          });
        }
        const { campaign } = result.value;
        const progress = await this.deps.campaigns.progress(actor, campaign.id);
        const banner = 'Launched. Preparing the audience: cards go out as each page of the directory is read. Refresh to follow progress.';
        return progress.ok ? campaignStatusCard(progress.value.campaign, progress.value.progress, { banner }) : noticeCard('Countersign', banner);
      }
      case Verbs.campaignStatus: {
        const id = typeof data.campaignId === 'string' ? data.campaignId.slice(0, 100) : undefined;
        const result = await this.deps.campaigns.progress(actor, id);
        return result.ok ? campaignStatusCard(result.value.campaign, result.value.progress) : noticeCard('Countersign', result.error.message);
      }
      case Verbs.campaignClose:
      case Verbs.campaignRecount: {
        const id = typeof data.campaignId === 'string' ? data.campaignId.slice(0, 100) : undefined;
        const closing = verb === Verbs.campaignClose;
        const result = closing ? await this.deps.campaigns.close(actor, id) : await this.deps.campaigns.recount(actor, id);
        if (!result.ok) return noticeCard('Countersign', result.error.message);
        const banner = closing ? 'Closed. No more cards or reminders will be sent; the figures were counted again from the records.' : 'Counted again from the records.';
        return campaignStatusCard(result.value.campaign, result.value.progress, { banner });
      }
      case Verbs.campaignExport: {
        const id = typeof data.campaignId === 'string' ? data.campaignId.slice(0, 100) : undefined;
        const result = await this.deps.campaigns.export(actor, id);
        if (!result.ok) return noticeCard('Countersign', result.error.message);
        const { campaign, progress, csv, summary } = result.value;
        const file = `campaign-${campaign.versionLabel}-${this.deps.today()}-${campaign.id.slice(0, 8)}.csv`.replace(/[^\w.-]/g, '-');
        const saved = this.deps.saveExport(file, csv);
        this.deps.log(`export written to ${saved.path}`);
        files.push({ contentType: 'text/csv', contentUrl: saved.link, name: file });
        return campaignStatusCard(campaign, progress, { summary, exportLink: saved.link, banner: `Export ready: ${file} (${progress.total} rows).` });
      }
      case Verbs.requestSubmit: {
        const result = await requests.submit(actor, data);
        if (result.ok) return requestCard(result.value, { viewerId: actor.id, banner: 'Submitted. We will tell you here as it moves on.' });
        return this.formOrNotice(actor, result.error);
      }
      case Verbs.requestResubmit: {
        const ref = requestRef.safeParse(data);
        if (!ref.success) return noticeCard('Countersign', 'This card is missing its request. Type "status" to find your requests.');
        const result = await requests.resubmit(actor, ref.data.requestId, data);
        if (result.ok) return requestCard(result.value, { viewerId: actor.id, banner: 'Resubmitted. It starts again with the Computing/ICT subject leader.' });
        return this.formOrNotice(actor, result.error);
      }
      case Verbs.requestEdit: {
        const ref = requestRef.safeParse(data);
        const found = ref.success ? await requests.view(actor.id, ref.data.requestId) : undefined;
        if (!found?.ok) return noticeCard('Countersign', found?.error.message ?? 'This card is missing its request.');
        const r = found.value;
        if (r.requesterId !== actor.id || r.status !== 'returned') return requestCard(r, { viewerId: actor.id });
        return this.editForm(r);
      }
      case Verbs.requestWithdraw: {
        const ref = requestRef.safeParse(data);
        if (!ref.success) return noticeCard('Countersign', 'This card is missing its request. Type "status" to find your requests.');
        const result = await requests.withdraw(actor, ref.data.requestId);
        return this.outcome(actor, ref.data.requestId, result, 'Withdrawn. No one will be asked to decide it now.');
      }
      case Verbs.requestView:
      case Verbs.refresh: {
        const ref = requestRef.safeParse(data);
        if (!ref.success) return noticeCard('Countersign', 'This card is missing its request. Type "status" to find your requests.');
        const found = await requests.view(actor.id, ref.data.requestId);
        return found.ok ? requestCard(found.value, { viewerId: actor.id }) : noticeCard('Countersign', found.error.message);
      }
      case Verbs.approve:
      case Verbs.reject:
      case Verbs.return: {
        const parsed = decisionData.safeParse(data);
        if (!parsed.success) {
          const ref = requestRef.safeParse(data);
          const message = parsed.error.issues.map((i) => i.message).join(' ');
          if (!ref.success) return noticeCard('Countersign', 'This card is missing its request. Type "status" to find your requests.');
          const found = await requests.view(actor.id, ref.data.requestId);
          return found.ok
            ? requestCard(found.value, { viewerId: actor.id, errors: { message }, values: { signature: String(data.signature ?? '').slice(0, 200), comment: String(data.comment ?? '').slice(0, 2000) } })
            : noticeCard('Countersign', found.error.message);
        }
        const input = parsed.data;
        const result = await requests.decide(actor, decisionVerbs[verb], input);
        if (!result.ok && result.error.fields) {
          const found = await requests.view(actor.id, input.requestId);
          if (found.ok)
            return requestCard(found.value, { viewerId: actor.id, errors: result.error.fields, values: { signature: input.signature, comment: input.comment } });
        }
        const decided = result.ok ? result.value.steps[input.step]?.decision : undefined;
        return this.outcome(actor, input.requestId, result, decided && decisionLine(decided));
      }
      default:
        this.deps.log(`unknown verb ${verb.slice(0, 60)}`);
        return helpCard({ schoolName: this.deps.schoolName, unknownText: true });
    }
  }

  private async declaration(
    actor: Actor,
    versionId?: string,
    campaignId?: string,
    extra: { banner?: string; errors?: Record<string, string>; values?: { typedName?: string; confirm?: string } } = {},
  ): Promise<AdaptiveCard> {
    const view = await this.deps.declarations.view(actor.id, versionId);
    if (!view.ok) return noticeCard('Countersign', view.error.message);
    const v = view.value;
    return declarationCard({
      version: v.version,
      current: v.current,
      declaration: v.declaration,
      campaignId: campaignId ?? null,
      readLink: this.deps.policyLink(actor.id, v.version.id),
      opened: v.opened,
      ...extra,
    });
  }

  private async editForm(r: AccountRequest, rejection?: FormRejection) {
    const form = await this.deps.requests.formContext();
    const last = lastDecision(r);
    return requestFormCard({
      ...form,
      values: rejection?.values ?? detailsToFormValues(r.details),
      errors: rejection?.fields,
      resubmit: { requestId: r.id, reference: r.reference, returnedBy: last?.actorName ?? '', comment: last?.comment ?? '' },
    });
  }

  /** A refused form comes back as the same form, errors beside their fields and the input kept. */
  private async formOrNotice(actor: Actor, e: FormRejection | DomainError): Promise<AdaptiveCard> {
    if (!isRejection(e)) return noticeCard('Countersign', e.message);
    if (e.requestId) {
      const found = await this.deps.requests.view(actor.id, e.requestId);
      if (found.ok) return this.editForm(found.value, e);
    }
    const form = await this.deps.requests.formContext();
    return requestFormCard({ ...form, values: e.values, errors: e.fields });
  }

  /** After a change: the new state for the actor, or why nothing changed (e.g. "already decided by …"). */
  private async outcome(actor: Actor, requestId: string, result: { ok: true; value: AccountRequest } | { ok: false; error: DomainError }, banner?: string) {
    if (result.ok) return requestCard(result.value, { viewerId: actor.id, banner });
    const found = await this.deps.requests.view(actor.id, requestId);
    const message = result.error.message;
    return found.ok ? requestCard(found.value, { viewerId: actor.id, banner: message }) : noticeCard('Countersign', message);
  }
}

function inDays(today: string, days: number): string {
  return new Date(Date.parse(`${today}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
