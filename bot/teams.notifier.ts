import { CardFactory, MessageFactory, TurnContext, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { AdaptiveCard } from '../src/cards/ac';
import { accountApprovedCard } from '../src/cards/account-approved.card';
import { requestCard } from '../src/cards/request.card';
import { registerAccount, type AccountRequest } from '../src/domain/account-request';
import type { RequestMessage } from '../src/domain/request-effects';
import type { Directory } from '../src/ports/directory';
import type { DeliveryResult, Notifier } from '../src/ports/notifier';
import type { AppInstaller } from '../src/ports/app-installer';
import type { RegisteredAccount } from '../src/ports/store';
import type { Campaign } from '../src/domain/campaign';
import type { PolicyVersion } from '../src/domain/policy';
import type { Recipient } from '../src/domain/recipient.workflow';
import { declarationCard } from '../src/cards/declaration.card';
import { noticeCard } from '../src/cards/notice.card';
import { formatDay } from '../src/domain/display-dates';
import type { RateGate } from './rate-gate';
import type { ConnectorClients } from './connector-clients';
import type { ConversationService } from '../src/services/conversations.service';
import type { DemoInboxService } from '../src/services/demo-inbox.service';
import { retryAfterMs, statusOf, withConnectorRetry } from './connector-retry';

export interface NotifierOptions {
  adapter: CloudAdapter;
  /** Long-lived connector clients for the hot path: sends into known conversations. */
  clients: ConnectorClients;
  /** Empty in embedded mode, where the connector runs without auth. */
  botAppId: string;
  tenantId: string;
  /** Where to create conversations when no one has written yet (Teams: the regional smba address). */
  defaultServiceUrl?: string;
  conversations: ConversationService;
  directory: Directory;
  /** Paces every connector call under Teams' limits. */
  gate: RateGate;
  /** This person's signed link to a policy document. */
  policyLink: (userId: string, versionId: string) => string;
  /** The school's time zone (config `timeZone`): cards show every moment in it. */
  timeZone: string;
  log: (msg: string) => void;
  /**
   * Embedded mode only: every card is kept in the person's demo inbox as well, and a card for someone
   * the Agents Playground has no chat for is delivered there alone instead of failing. Absent in every
   * other mode, where a refused send stays a failure.
   */
  inbox?: DemoInboxService;
  /**
   * Microsoft 365 mode with TEAMS_APP_ID: reaches people the bot has no chat with by installing the app
   * for them through Graph (proactive installation) and sending into the chat Graph names. Absent in
   * embedded mode, which installs nothing, and when no Teams app id is configured (then a chat is
   * created, which Teams allows only with people who have the app).
   */
  installer?: AppInstaller;
}

/**
 * How the Agents Playground refuses someone it does not know: it creates the chat (201), then answers
 * every message into it with 500 and one of these codes (its connector's errors in
 * @microsoft/m365agentsplayground 0.2.28; UserNotFound seen live). Its roster is the few people in
 * .m365agentsplayground.yml, so in embedded mode these mean "no chat for this person".
 */
const PLAYGROUND_NO_USER = new Set(['UserNotFound', 'AccountNotFound']);
const PLAYGROUND_NO_CHAT = new Set([...PLAYGROUND_NO_USER, 'ConversationNotFound', 'ChatNotFound', 'MemberNotFoundInConversation']);

interface DeliverOptions {
  requestId?: string;
  campaignId?: string;
  purpose: string;
  /** Retry transient failures here (interactive fan-out), or report them (the job queue retries). */
  retry: boolean;
  /** Runs right before the message itself is sent; false cancels. */
  beforeSend?: () => Promise<boolean>;
}

/** Thrown when beforeSend cancels: nothing was sent. */
class SendCancelled extends Error {}

/** Thrown when the app could not be installed for someone (or their chat not found): nothing was sent. */
class Unreachable extends Error {
  constructor(readonly result: Exclude<DeliveryResult, { kind: 'sent' | 'cancelled' }>) {
    super('reason' in result ? result.reason : result.kind);
  }
}

/**
 * Teams' answer to a chat with someone who does not have the app: 403 BotNotInConversationRoster,
 * "The bot is not part of the conversation roster." (OfficeDev/microsoft-teams-apps-company-communicator#744;
 * MicrosoftDocs/bot-docs#1527).
 */
const NOT_INSTALLED = 'BotNotInConversationRoster';

/**
 * botbuilder passes an error thrown inside proactive logic to onTurnError and
 * then resolves as if all went well; a failed send would look delivered. This
 * catches it inside the logic and throws it again outside.
 */
export async function proactive(run: (logic: (ctx: TurnContext) => Promise<void>) => Promise<void>, logic: (ctx: TurnContext) => Promise<void>) {
  let failure: unknown;
  await run(async (ctx) => {
    try {
      await logic(ctx);
    } catch (e) {
      failure = e;
    }
  });
  if (failure !== undefined) throw failure;
}

export const cardMessage = (card: AdaptiveCard) => MessageFactory.attachment(CardFactory.adaptiveCard(card));

/** Delivers Countersign's cards to people's 1:1 chats with the bot, creating the chat when needed. */
export class TeamsNotifier implements Notifier {
  /**
   * Embedded mode: people the Playground said it has no chat for. Their later cards go straight to the
   * inbox, since botbuilder's connector client retries each 500 three times (about 5 s) before giving up.
   */
  private readonly noPlaygroundChat = new Set<string>();

  constructor(private readonly o: NotifierOptions) {}

  async aboutRequest(to: string, message: RequestMessage | 'approvalReminder', r: AccountRequest, beforeSend?: () => Promise<boolean>): Promise<DeliveryResult> {
    const o = { requestId: r.id, retry: false, beforeSend };
    const timeZone = this.o.timeZone;
    switch (message) {
      case 'approvalNeeded':
        return this.deliver(to, requestCard(r, { viewerId: to, timeZone }), { ...o, purpose: 'approval' });
      case 'approvalReminder':
        return this.deliver(to, requestCard(r, { viewerId: to, timeZone, banner: 'Reminder: this request is still waiting for your decision.' }), { ...o, purpose: 'approval' });
      case 'requestUpdated':
        return this.deliver(to, requestCard(r, { viewerId: to, timeZone }), { ...o, purpose: 'status' });
      case 'accountApproved': {
        const [ict] = await this.o.directory.findByRole('ictLeader');
        const account = registerAccount(r, '', r.updatedAt);
        return this.deliver(to, accountApprovedCard(account, r, ict?.name ?? 'the network manager'), { ...o, purpose: 'account' });
      }
    }
  }

  async accountReminder(a: RegisteredAccount, kind: 'closure' | 'review', to: string[]): Promise<DeliveryResult[]> {
    const card =
      kind === 'closure'
        ? noticeCard('Account closing soon', `${a.reference}: the ${a.platform} account for ${a.department} is due to close on ${formatDay(a.closure)}. Close it on the platform then, or ask the Computing/ICT subject leader to extend it.`)
        : noticeCard('Annual review due', `${a.reference}: the ${a.platform} account for ${a.department} was approved a year ago. Please review whether it is still needed, who administers it, and its privacy settings.`);
    const out: DeliveryResult[] = [];
    for (const userId of to) out.push(await this.deliver(userId, card, { purpose: `account-${kind}`, retry: false }));
    return out;
  }

  private declaration(r: Recipient, v: PolicyVersion, c: Campaign, banner?: string) {
    return declarationCard({ version: v, campaignId: c.id, deadline: c.deadline, readLink: this.o.policyLink(r.userId, v.id), opened: false, timeZone: this.o.timeZone, banner });
  }

  async sendDeclaration(r: Recipient, v: PolicyVersion, c: Campaign, beforeSend?: () => Promise<boolean>): Promise<DeliveryResult> {
    return this.deliver(r.userId, this.declaration(r, v, c), { purpose: 'declaration', campaignId: c.id, retry: false, beforeSend });
  }

  /** Updates the card already in the chat where we know it, so a reminder does not pile up cards. */
  async remindDeclaration(r: Recipient, v: PolicyVersion, c: Campaign): Promise<DeliveryResult> {
    const card = this.declaration(r, v, c, `Reminder: please sign by ${formatDay(c.deadline)}.`);
    const address = await this.o.conversations.lookup(r.userId);
    if (r.activityId && address && address.conversationId === r.conversationId) {
      try {
        // The update goes through the TurnContext, so the rate-gate middleware takes its slot.
        await proactive((logic) => this.o.adapter.continueConversationAsync(this.o.botAppId, JSON.parse(address.reference), logic), async (ctx) => {
          const update = cardMessage(card);
          update.id = r.activityId!;
          await ctx.updateActivity(update);
        });
      } catch (e) {
        const failure = this.classify(r.userId, e);
        if (failure.kind !== 'recipientNotFound' && !this.playgroundHasNoChat(e)) return failure;
        return this.deliver(r.userId, card, { purpose: 'declaration-reminder', campaignId: c.id, retry: false });
      }
      await this.replaceInInbox(r.userId, r.activityId, card);
      return { kind: 'sent', userId: r.userId, conversationId: address.conversationId, activityId: r.activityId };
    }
    return this.deliver(r.userId, card, { purpose: 'declaration-reminder', campaignId: c.id, retry: false });
  }

  /** Edits every earlier request card in place, so old buttons disappear once someone has acted. */
  async refreshSentCards(r: AccountRequest): Promise<void> {
    for (const sent of await this.o.conversations.sentCards(r.id)) {
      if (sent.purpose === 'account') continue;
      const address = await this.o.conversations.lookup(sent.userId);
      if (!address || address.conversationId !== sent.conversationId) continue;
      const reference = JSON.parse(address.reference) as ConversationReference;
      try {
        // Gated by the rate-gate middleware. Retried here, the only layer that does: the message job that
        // refreshes treats an edit that still fails as done (a stale card is harmless; its buttons re-check on the server).
        await proactive((logic) => this.o.adapter.continueConversationAsync(this.o.botAppId, reference, logic), async (ctx) => {
          const update = cardMessage(requestCard(r, { viewerId: sent.userId, timeZone: this.o.timeZone }));
          update.id = sent.activityId;
          await withConnectorRetry(() => ctx.updateActivity(update));
        });
      } catch (e) {
        this.o.log(`could not update card ${sent.activityId} for ${sent.userId}: status ${statusOf(e) ?? (e as Error).message}`);
      }
    }
    // The demo inboxes' copies change as the chats' cards do, whether or not the Playground had them.
    for (const kept of (await this.o.inbox?.aboutRequest(r.id)) ?? []) {
      if (kept.kind === 'account') continue;
      await this.o.inbox!.replaceCard(kept.id, requestCard(r, { viewerId: kept.personId, timeZone: this.o.timeZone })).catch((e: Error) => this.o.log(`could not update the demo inbox copy of card ${kept.id} for ${kept.personId}: ${e.message}`));
    }
  }

  /** The inbox copy of a card the chat has just had edited in place. A copy that cannot be written is only logged: the chat has the card. */
  private async replaceInInbox(userId: string, activityId: string, card: AdaptiveCard) {
    if (!this.o.inbox) return;
    try {
      const kept = (await this.o.inbox.listInbox(userId)).find((k) => k.activityId === activityId);
      if (kept) await this.o.inbox.replaceCard(kept.id, card);
    } catch (e) {
      this.o.log(`could not update the demo inbox copy of card ${activityId} for ${userId}: ${(e as Error).message}`);
    }
  }

  /** The inbox copy of a card the Playground showed too. Not fatal: the card is in the chat, and a retry would send it twice. */
  private async keepCopy(userId: string, card: AdaptiveCard, o: DeliverOptions, activityId: string) {
    try {
      await this.o.inbox?.keep({ personId: userId, kind: o.purpose, card, requestId: o.requestId, campaignId: o.campaignId, activityId });
    } catch (e) {
      this.o.log(`${o.purpose} card for ${userId} reached the Playground but not the demo inbox: ${(e as Error).message}`);
    }
  }

  /** A card for someone the Playground has no chat for: the demo inbox is its delivery. */
  private async keepOnly(inbox: DemoInboxService, userId: string, card: AdaptiveCard, o: DeliverOptions, why = 'the Playground has no chat for them'): Promise<DeliveryResult> {
    // Nothing reached the Playground, so the attempt is recorded here if the send never got that far.
    if (o.beforeSend && !(await o.beforeSend())) return { kind: 'cancelled', userId };
    try {
      await inbox.keep({ personId: userId, kind: o.purpose, card, requestId: o.requestId, campaignId: o.campaignId });
    } catch (e) {
      this.o.log(`${o.purpose} card for ${userId} could not be kept in the demo inbox: ${(e as Error).message}`);
      return { kind: 'failed', userId, reason: 'the demo inbox could not be written', transient: true };
    }
    const name = (await this.o.directory.getStaff(userId).catch(() => undefined))?.name ?? userId;
    this.o.log(`${o.purpose} card for ${name} kept in their demo inbox (${why})`);
    return { kind: 'sent', userId };
  }

  /** Embedded mode: the Playground refused this person because it has no chat for them (see PLAYGROUND_NO_CHAT). */
  private playgroundHasNoChat(e: unknown): boolean {
    if (!this.o.inbox) return false;
    const status = statusOf(e);
    return status === 403 || status === 404 || PLAYGROUND_NO_CHAT.has((e as { code?: string })?.code ?? '');
  }

  private async deliver(userId: string, card: AdaptiveCard, given: DeliverOptions): Promise<DeliveryResult> {
    // beforeSend records the attempt, so it runs once per message even when a stale chat is replaced by a new one.
    let cleared = false;
    const beforeSend = given.beforeSend;
    const o: DeliverOptions = beforeSend ? { ...given, beforeSend: async () => cleared || (cleared = await beforeSend()) } : given;
    if (this.o.inbox?.keeps(userId) && this.noPlaygroundChat.has(userId)) return this.keepOnly(this.o.inbox, userId, card, o);
    try {
      const address = await this.o.conversations.lookup(userId);
      // Embedded mode before any chat client has written (the tab alone, no Playground open): there is no connector
      // to send to, and the demo inbox is the delivery, as for people the Playground has no chat for.
      if (!address && this.o.inbox?.keeps(userId) && !(this.o.conversations.serviceUrl() ?? this.o.defaultServiceUrl)) {
        return this.keepOnly(this.o.inbox, userId, card, o, 'no chat client has connected yet');
      }
      let sent: { conversationId: string; activityId: string } | undefined;
      if (address) {
        try {
          sent = await this.sendTo(JSON.parse(address.reference), card, o);
        } catch (e) {
          // A stored conversation can go stale (app reinstalled, Playground restarted); fall through and create a new one.
          // Not when the Playground says it has no such user: a new chat with them fails the same way.
          if (statusOf(e) !== 403 && statusOf(e) !== 404 && !this.playgroundHasNoChat(e)) throw e;
          if (PLAYGROUND_NO_USER.has((e as { code?: string }).code ?? '') && this.o.inbox) throw e;
          // Blocked by the person: installing again would not change that, so no Graph requests are spent on it.
          if (this.o.installer && (e as { code?: string }).code === 'ConversationBlockedByUser') throw e;
        }
      }
      // No chat yet, or the stored one refused us (the app removed, or reinstalled under a new chat): with an
      // installer, install the app for them (already installed is fine) and send into the chat Graph names.
      sent ??= this.o.installer ? await this.installAndSend(this.o.installer, userId, card, o, address?.serviceUrl) : await this.createAndSend(userId, card, o, address?.serviceUrl);
      if (o.requestId) {
        // Not awaited. The message has left: a failure to note it must not make it look unsent (the job would
        // send it again); it only means this card is not edited in place later, and the log says so. In flight,
        // the record shares the job's next write's $batch on SharePoint (SiteClient gathers requests).
        const record = { requestId: o.requestId, userId, conversationId: sent.conversationId, activityId: sent.activityId, purpose: o.purpose };
        void this.o.conversations.recordSentCard(record).catch((e) => this.o.log(`card ${sent!.activityId} sent to ${userId} was not recorded, so it will not be updated in place: ${(e as Error).message}`));
      }
      await this.keepCopy(userId, card, o, sent.activityId);
      return { kind: 'sent', userId, ...sent };
    } catch (e) {
      if (e instanceof SendCancelled) return { kind: 'cancelled', userId };
      if (e instanceof Unreachable) {
        if (e.result.kind !== 'throttled') this.o.log(`delivery of ${o.purpose} to ${userId} failed: could not install Countersign for them (${e.message})`);
        return e.result;
      }
      if (this.o.inbox?.keeps(userId) && this.playgroundHasNoChat(e)) {
        this.noPlaygroundChat.add(userId);
        return this.keepOnly(this.o.inbox, userId, card, o);
      }
      const failure = this.classify(userId, e);
      this.o.log(`delivery of ${o.purpose} to ${userId} failed: ${failure.kind}${'reason' in failure ? ` (${failure.reason})` : ''}`);
      return failure;
    }
  }

  /** Transport failures become a small closed result here; nothing above sees HTTP statuses. */
  private classify(userId: string, e: unknown): DeliveryResult {
    const status = statusOf(e);
    if (status === 403 && (e as { code?: string })?.code === NOT_INSTALLED) {
      return { kind: 'recipientNotFound', userId, reason: this.o.installer ? 'Countersign is not installed for this person' : 'Countersign is not installed for this person, and it cannot install itself without TEAMS_APP_ID' };
    }
    if (status === 403 || status === 404) return { kind: 'recipientNotFound', userId, reason: status === 403 ? 'the person has blocked or removed the app' : 'the person or chat no longer exists' };
    if (status === 429) return { kind: 'throttled', userId, retryAfterMs: retryAfterMs(e) ?? 1000 };
    const transient = !status || status === 412 || status >= 500;
    return { kind: 'failed', userId, reason: status ? `Teams answered ${status}` : (e as Error).message, transient };
  }

  /**
   * One connector request: the database write that must precede it, then the
   * rate gate's slot, then the request, so the slot is taken as the bytes
   * leave. `gateKey` is undefined when the request goes through a TurnContext,
   * where the rate-gate middleware takes the slot itself. `fn` may say early
   * that its request was answered (a create whose logic goes on to send).
   */
  private call<T>(gateKey: string | undefined, retry: boolean, fn: (answered: () => void) => Promise<T>, beforeSend?: () => Promise<boolean>): Promise<T> {
    const once = async () => {
      if (beforeSend && !(await beforeSend())) throw new SendCancelled();
      if (gateKey === undefined) return fn(() => undefined);
      const answered = await this.o.gate.acquire(gateKey);
      try {
        return await fn(answered);
      } finally {
        answered();
      }
    };
    return retry ? withConnectorRetry(once) : once();
  }

  /** Sends into a known conversation through a reused connector client, without a turn pipeline. */
  private async sendTo(reference: ConversationReference, card: AdaptiveCard, o: DeliverOptions) {
    const conversationId = reference.conversation.id;
    const client = await this.o.clients.get(reference.serviceUrl);
    const activity = TurnContext.applyConversationReference(cardMessage(card), reference);
    const res = await this.call(conversationId, o.retry, () => client.conversations.sendToConversation(conversationId, activity as any), o.beforeSend);
    return { conversationId, activityId: res?.id ?? '' };
  }

  /**
   * Reaches someone the bot has no working chat with, following Microsoft's proactive-installation
   * guidance (learn.microsoft.com, "Send proactive installation messages"): the installer installs the app
   * for them through Graph (409, already installed, counts as done) and names their 1:1 chat; the chat's
   * id is a conversation id the Bot Connector accepts with the Teams service URL. The address is stored
   * before the card leaves, so the next card (or this one's retry) needs no install. No retry here: a
   * throttled or failed install comes back as the delivery's result, nothing has been sent, and the job
   * queue tries again (one retry layer; see src/resilience/retry.policy.ts).
   */
  private async installAndSend(installer: AppInstaller, userId: string, card: AdaptiveCard, o: DeliverOptions, knownServiceUrl?: string) {
    const serviceUrl = knownServiceUrl ?? this.o.conversations.serviceUrl() ?? this.o.defaultServiceUrl;
    if (!serviceUrl) throw new Error('no connector address known yet: nobody has written to the bot');
    const reach = await installer.reach(userId);
    if (reach.kind === 'throttled') throw new Unreachable({ kind: 'throttled', userId, retryAfterMs: reach.retryAfterMs });
    if (reach.kind === 'unknownPerson') throw new Unreachable({ kind: 'recipientNotFound', userId, reason: reach.reason });
    if (reach.kind === 'failed') throw new Unreachable({ kind: 'failed', userId, reason: reach.reason, transient: reach.transient });
    const reference: ConversationReference = {
      channelId: 'msteams',
      serviceUrl,
      conversation: { id: reach.chatId, conversationType: 'personal', tenantId: this.o.tenantId, isGroup: false, name: '' },
      bot: { id: this.o.botAppId || 'countersign', name: 'Countersign' },
      user: { id: userId, aadObjectId: userId, name: '' },
    };
    await this.o.conversations.remember({ userId, conversationId: reach.chatId, serviceUrl, tenantId: this.o.tenantId, reference: JSON.stringify(reference) });
    return this.sendTo(reference, card, o);
  }

  /**
   * Opens a 1:1 chat with someone who may never have written to the bot. Teams
   * accepts the Entra object id as the member id once the app is installed for
   * that user (learn.microsoft.com, "Send proactive messages", personal scope).
   */
  private async createAndSend(userId: string, card: AdaptiveCard, o: DeliverOptions, knownServiceUrl?: string) {
    const retry = o.retry;
    const serviceUrl = knownServiceUrl ?? this.o.conversations.serviceUrl() ?? this.o.defaultServiceUrl;
    if (!serviceUrl) throw new Error('no connector address known yet: nobody has written to the bot');
    let out: { conversationId: string; activityId: string } | undefined;
    const parameters = {
      isGroup: false,
      bot: { id: this.o.botAppId || 'countersign', name: 'Countersign' },
      members: [{ id: userId, name: '' }],
      tenantId: this.o.tenantId,
      channelData: { tenant: { id: this.o.tenantId } },
    };
    let created: () => void = () => undefined;
    const sendInNewChat = async (ctx: TurnContext) => {
      // The create has been answered: free its slot before the send takes its own, so creates in flight never starve sends.
      created();
      const reference = TurnContext.getConversationReference(ctx.activity) as ConversationReference;
      await this.o.conversations.remember({
        userId,
        conversationId: ctx.activity.conversation.id,
        serviceUrl,
        tenantId: this.o.tenantId,
        reference: JSON.stringify({ ...reference, user: { id: userId, aadObjectId: userId } }),
      });
      // No retry here: the create around it is retried as a whole (one layer), and the middleware gates the send.
      const res = await this.call(undefined, false, () => ctx.sendActivity(cardMessage(card)), o.beforeSend);
      out = { conversationId: ctx.activity.conversation.id, activityId: res?.id ?? '' };
    };
    await this.call(`user:${userId}`, retry, (answered) => {
      created = answered;
      return proactive((logic) => this.o.adapter.createConversationAsync(this.o.botAppId, 'msteams', serviceUrl, '', parameters as any, logic), sendInNewChat);
    });
    if (!out) throw new Error('the connector accepted no message');
    return out;
  }
}
