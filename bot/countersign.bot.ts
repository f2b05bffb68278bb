import { randomUUID } from 'node:crypto';
import {
  TeamsActivityHandler,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type ConversationReference,
  type InvokeResponse,
} from 'botbuilder';
import type { AdaptiveCard } from '../src/cards/ac';
import { helpCard } from '../src/cards/help.card';
import { noticeCard } from '../src/cards/notice.card';
import { mayRunCampaigns } from '../src/domain/campaign-permissions';
import type { StaffMember } from '../src/domain/people';
import { resolveActor } from '../src/services/actors';
import type { ConversationService } from '../src/services/conversations.service';
import { ActingAs } from './act-as';
import { executeInvoke, submitEnvelope } from './card-data';
import { approvalsFeature } from './features/approvals.feature';
import { campaignsFeature } from './features/campaigns.feature';
import { declarationsFeature } from './features/declarations.feature';
import type { FeatureDeps, Turn } from './features/feature';
import { helpFeature } from './features/help.feature';
import { requestsFeature } from './features/requests.feature';
import { parseText, Routes } from './routes';
import { cardMessage } from './teams.notifier';

export interface BotDeps extends FeatureDeps {
  conversations: ConversationService;
  /** Embedded mode only: lets one Playground window act as any demo person (`as <name>`). */
  allowActAs: boolean;
}

/** Where a turn keeps its request id, so every log line of the turn and the person's apology can quote it. */
const REQUEST_ID = Symbol('countersign.requestId');

/** Short enough to read out over the phone to the ICT team; unique enough to find the turn in the logs. */
const newRequestId = () => randomUUID().slice(0, 8);

const isPolicyAdmin = (staff: StaffMember) => mayRunCampaigns({ id: staff.id, roles: staff.roles });

/** An invoke answer Teams shows as an error message (Universal Actions' error response). */
function invokeError(status: number, code: string, message: string): InvokeResponse {
  const body: AdaptiveCardInvokeResponse = { statusCode: status, type: 'application/vnd.microsoft.error', value: { code, message } as any };
  return { status, body };
}

/**
 * Wiring only: a turn comes in, the actor is resolved on the server, the route
 * table picks the feature's handler, and its card goes out: as a reply to a chat
 * message, or as the invoke answer that replaces the clicked card.
 */
export class CountersignBot extends TeamsActivityHandler {
  private readonly routes: Routes;
  private readonly actingAs?: ActingAs;

  constructor(private readonly deps: BotDeps) {
    super();
    this.routes = new Routes([helpFeature(deps), requestsFeature(deps), approvalsFeature(deps), declarationsFeature(deps), campaignsFeature(deps)]);
    this.actingAs = deps.allowActAs ? new ActingAs(deps.directory) : undefined;
    this.onMessage(async (ctx, next) => {
      await this.orApologise(ctx, () => this.handleMessage(ctx));
      await next();
    });
    this.onMembersAdded(async (ctx, next) => {
      await this.orApologise(ctx, async () => {
        if (this.botIn(ctx, ctx.activity.membersAdded)) await this.teamAdded(ctx);
        await this.welcome(ctx);
      });
      await next();
    });
    this.onMembersRemoved(async (ctx, next) => {
      if (this.botIn(ctx, ctx.activity.membersRemoved)) await this.quietly(ctx, () => this.teamRemoved(ctx));
      await next();
    });
    // Teams also sends installationUpdate when the app is added to or removed from a team; either event is enough.
    this.onInstallationUpdateAdd(async (ctx, next) => {
      await this.quietly(ctx, () => this.teamAdded(ctx));
      await next();
    });
    this.onInstallationUpdateRemove(async (ctx, next) => {
      await this.quietly(ctx, () => this.teamRemoved(ctx));
      await next();
    });
    this.onTeamsTeamRenamedEvent(async (team, ctx, next) => {
      if (team?.id && team.name) await this.quietly(ctx, () => this.deps.conversations.teamRenamed(team.id!, team.name!));
      await next();
    });
  }

  /**
   * A card button pressed in the tab (the embedded demo's inboxes): the same
   * handler as the Action.Execute in chat, for a person the server signed in.
   */
  async act(staff: StaffMember, verb: string, data: Record<string, unknown>): Promise<AdaptiveCard> {
    const turn: Turn = { actor: { id: staff.id, name: staff.name, staff }, policyAdmin: isPolicyAdmin(staff) };
    const handler = this.routes.forVerb(verb);
    if (!handler) return helpCard({ schoolName: this.deps.schoolName, unknownText: true, policyAdmin: turn.policyAdmin });
    return handler(turn, data);
  }

  /** Gives every turn its request id before anything can log. */
  async run(ctx: TurnContext): Promise<void> {
    ctx.turnState.set(REQUEST_ID, newRequestId());
    await super.run(ctx);
  }

  /**
   * botbuilder answers every invoke it has no handler for with an empty 501
   * (ActivityHandler.onInvokeActivity and TeamsActivityHandler.onInvokeActivity
   * in botbuilder 4.23), and throws a TypeError on an `adaptiveCard/action` with
   * no action. Both get an answer that says what happened instead.
   */
  protected async onInvokeActivity(ctx: TurnContext): Promise<InvokeResponse> {
    const name = ctx.activity.name ?? '';
    if (name === 'adaptiveCard/action' && !executeInvoke.safeParse(ctx.activity.value).success) {
      this.log(ctx, `refused an adaptiveCard/action that is not Action.Execute`);
      return invokeError(400, 'BadRequest', 'Countersign answers only Action.Execute buttons. Type "help" in your chat with Countersign to get a fresh card.');
    }
    const response = await super.onInvokeActivity(ctx);
    if (response?.status !== 501) return response;
    this.log(ctx, `unsupported invoke ${JSON.stringify(name.slice(0, 60))}`);
    return invokeError(400, 'NotSupported', `Countersign does not handle "${name.slice(0, 60)}" requests. Type "help" in your chat with Countersign to see what it can do.`);
  }

  /** Universal Actions: the card in the response replaces the card for the person who clicked. */
  protected async onAdaptiveCardInvoke(ctx: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    try {
      await this.remember(ctx);
      const card = await this.dispatch(ctx, String(value.action.verb ?? ''), value.action.data ?? {});
      return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card as any };
    } catch (e) {
      const ref = this.failed(ctx, e);
      return invokeError(500, 'ServerError', `Something went wrong on our side. Try again in a minute, or type "help" in your chat with Countersign. Reference: ${ref}.`).body;
    }
  }

  private async handleMessage(ctx: TurnContext) {
    await this.remember(ctx);
    // Older clients send Action.Submit: a message whose value carries the verb.
    const submitted = submitEnvelope.safeParse(ctx.activity.value);
    if (submitted.success && !ctx.activity.text) {
      await this.replyWith(ctx, submitted.data.verb, submitted.data);
      return;
    }
    const text = TurnContext.removeRecipientMention(ctx.activity)?.trim() ?? ctx.activity.text?.trim() ?? '';
    const typed = parseText(text);
    if (typed.command === 'as' && this.actingAs) {
      const answer = await this.actingAs.choose(ctx.activity.conversation.id, typed.args.join(' '));
      // An answer that quotes what the person typed goes as plain text, so Teams renders no markdown or link from it.
      // The others keep the default (markdown) like every other line the bot sends; the Playground renders the two differently.
      await ctx.sendActivity({ type: 'message', text: answer.text, ...(answer.echoesTyped ? { textFormat: 'plain' } : {}) });
      return;
    }
    const verb = this.routes.verbFor(typed);
    if (verb) {
      await this.replyWith(ctx, verb, {});
      return;
    }
    const who = await this.actor(ctx);
    await ctx.sendActivity(cardMessage(helpCard({ schoolName: this.deps.schoolName, unknownText: true, policyAdmin: who.ok && isPolicyAdmin(who.value.staff) })));
  }

  /** Answers a chat message with the verb's card. */
  private async replyWith(ctx: TurnContext, verb: string, data: Record<string, unknown>) {
    await ctx.sendActivity(cardMessage(await this.dispatch(ctx, verb, data)));
  }

  private async welcome(ctx: TurnContext) {
    await this.remember(ctx);
    // Someone joining a team Countersign is in gets no help card posted in the team's channel for all to see.
    if (ctx.activity.conversation?.conversationType === 'channel' || (ctx.activity.channelData as { team?: unknown } | undefined)?.team) return;
    const botId = ctx.activity.recipient?.id;
    if (!(ctx.activity.membersAdded ?? []).some((m) => m.id !== botId)) return;
    const who = await this.actor(ctx);
    await ctx.sendActivity(cardMessage(helpCard({ schoolName: this.deps.schoolName, policyAdmin: who.ok && isPolicyAdmin(who.value.staff) })));
  }

  private botIn(ctx: TurnContext, members: Array<{ id: string }> | undefined): boolean {
    const botId = ctx.activity.recipient?.id;
    return !!botId && (members ?? []).some((m) => m.id === botId);
  }

  /** The team a team or channel conversation belongs to, as Teams names it in channelData. */
  private teamOf(ctx: TurnContext): { id: string; name?: string; aadGroupId?: string } | undefined {
    const team = (ctx.activity.channelData as { team?: { id?: unknown; name?: unknown; aadGroupId?: unknown } } | undefined)?.team;
    if (typeof team?.id !== 'string' || !team.id) return undefined;
    return { id: team.id, ...(typeof team.name === 'string' ? { name: team.name } : {}), ...(typeof team.aadGroupId === 'string' && team.aadGroupId ? { aadGroupId: team.aadGroupId } : {}) };
  }

  /**
   * Countersign was added to a team: store the team and a reference to its General channel, whose
   * conversation id is the team id (what the paged roster is read from).
   */
  private async teamAdded(ctx: TurnContext) {
    const team = this.teamOf(ctx);
    if (!team) return;
    const a = ctx.activity;
    const tenantId = a.conversation?.tenantId ?? (a.channelData as any)?.tenant?.id ?? '';
    const base = TurnContext.getConversationReference(a) as ConversationReference;
    const reference: ConversationReference = { ...base, activityId: undefined, conversation: { id: team.id, isGroup: true, conversationType: 'channel', tenantId, name: team.name ?? '' } as any };
    const before = await this.deps.conversations.team(team.id);
    await this.deps.conversations.teamAdded({
      teamId: team.id,
      ...(team.aadGroupId ? { aadGroupId: team.aadGroupId } : before?.aadGroupId ? { aadGroupId: before.aadGroupId } : {}),
      // installationUpdate may come without the name: keep the one already known.
      name: team.name || before?.name || 'Unnamed team',
      serviceUrl: a.serviceUrl,
      tenantId,
      reference: JSON.stringify(reference),
    });
    this.log(ctx, `added to team ${JSON.stringify((team.name ?? team.id).slice(0, 60))}`);
  }

  private async teamRemoved(ctx: TurnContext) {
    const team = this.teamOf(ctx);
    if (!team) return;
    await this.deps.conversations.teamRemoved(team.id);
    this.log(ctx, `removed from team ${JSON.stringify((team.name ?? team.id).slice(0, 60))}`);
  }

  /** Work nobody waits for an answer to (the bot cannot reply to a team it was just removed from): a failure is logged. */
  private async quietly(ctx: TurnContext, work: () => Promise<void>) {
    try {
      await work();
    } catch (e) {
      this.failed(ctx, e);
    }
  }

  /** Resolves who acts, then runs the verb's handler: one path for Action.Execute, Action.Submit and text commands. */
  private async dispatch(ctx: TurnContext, verb: string, data: Record<string, unknown>): Promise<AdaptiveCard> {
    // A card about a request: its read starts beside the actor's, so the two may share one round trip.
    if (typeof data.requestId === 'string' && data.requestId.length <= 100) this.deps.requests.readAhead(data.requestId);
    const who = await this.actor(ctx);
    if (!who.ok) return noticeCard('Countersign', who.error.message);
    const turn: Turn = { actor: who.value, policyAdmin: isPolicyAdmin(who.value.staff) };
    const handler = this.routes.forVerb(verb);
    if (!handler) {
      this.log(ctx, `unknown verb ${JSON.stringify(verb.slice(0, 60))}`);
      return helpCard({ schoolName: this.deps.schoolName, unknownText: true, policyAdmin: turn.policyAdmin });
    }
    return handler(turn, data);
  }

  private actor(ctx: TurnContext) {
    const override = this.actingAs?.staffIdFor(ctx.activity.conversation.id);
    return resolveActor(this.deps.directory, override ?? ctx.activity.from?.aadObjectId);
  }

  /** Stores the conversation reference of every personal chat, so later cards reuse it. */
  private async remember(ctx: TurnContext) {
    const a = ctx.activity;
    const userId = a.from?.aadObjectId;
    if (!userId || a.conversation?.conversationType === 'channel' || a.conversation?.isGroup) return;
    // A chat acting as someone else is not that person's chat: their cards must not go to it.
    if (this.actingAs?.staffIdFor(a.conversation.id)) return;
    const reference = TurnContext.getConversationReference(a) as ConversationReference;
    await this.deps.conversations.remember({
      userId,
      conversationId: a.conversation.id,
      serviceUrl: a.serviceUrl,
      tenantId: a.conversation.tenantId ?? (a.channelData as any)?.tenant?.id ?? '',
      reference: JSON.stringify(reference),
    });
  }

  /**
   * A chat turn that throws still gets an answer that says what to do next, with
   * the request id to quote. It does not claim that nothing changed: the failure
   * may come after a change was saved. The adapter's onTurnError stays as the last resort.
   */
  private async orApologise(ctx: TurnContext, work: () => Promise<void>) {
    try {
      await work();
    } catch (e) {
      const ref = this.failed(ctx, e);
      await ctx
        .sendActivity({
          type: 'message',
          text: `Sorry, something went wrong on our side. Try again in a minute, or type "help". If it keeps happening, give your ICT team this reference: ${ref}.`,
        })
        .catch((sendError: Error) => this.log(ctx, `could not send the apology: ${sendError.message}`));
    }
  }

  /** Logs a failed turn with its request id and returns the id. */
  private failed(ctx: TurnContext, e: unknown): string {
    const what = ctx.activity.type === 'invoke' ? `invoke ${ctx.activity.name ?? ''}` : ctx.activity.type;
    // One line, so that a search for the request id finds the cause and where it was thrown.
    const where = e instanceof Error ? (e.stack?.split('\n').find((l) => l.trim().startsWith('at ')) ?? '').trim() : '';
    this.log(ctx, `${what} failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}${where ? ` (${where})` : ''}`);
    return this.requestId(ctx);
  }

  private requestId(ctx: TurnContext): string {
    let id = ctx.turnState.get(REQUEST_ID) as string | undefined;
    if (!id) ctx.turnState.set(REQUEST_ID, (id = newRequestId()));
    return id;
  }

  private log(ctx: TurnContext, msg: string) {
    this.deps.log(`request ${this.requestId(ctx)}: ${msg}`);
  }
}
