import { CardFactory, MessageFactory, TurnContext, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { AdaptiveCard } from '../src/cards/ac';
import { accountApprovedCard } from '../src/cards/account-approved.card';
import { requestCard } from '../src/cards/request.card';
import { currentApprover, type AccountRequest } from '../src/domain/account-request';
import type { Directory } from '../src/ports/directory';
import type { DeliveryResult, Notifier } from '../src/ports/notifier';
import type { RegisteredAccount } from '../src/ports/store';
import type { ConversationService } from '../src/services/conversations.service';
import { statusOf, withConnectorRetry } from './connector-retry';

export interface NotifierOptions {
  adapter: CloudAdapter;
  /** Empty in embedded mode, where the connector runs without auth. */
  botAppId: string;
  tenantId: string;
  /** Where to create conversations when no one has written yet (Teams: the regional smba address). */
  defaultServiceUrl?: string;
  conversations: ConversationService;
  directory: Directory;
  log: (msg: string) => void;
}

export const cardMessage = (card: AdaptiveCard) => MessageFactory.attachment(CardFactory.adaptiveCard(card));

/** Delivers Countersign's cards to people's 1:1 chats with the bot, creating the chat when needed. */
export class TeamsNotifier implements Notifier {
  constructor(private readonly o: NotifierOptions) {}

  async approvalNeeded(r: AccountRequest): Promise<DeliveryResult> {
    const step = currentApprover(r);
    if (!step) return { kind: 'failed', userId: '', reason: 'no pending step' };
    return this.deliver(step.approverId, requestCard(r, { viewerId: step.approverId }), r.id, 'approval');
  }

  async requesterUpdated(r: AccountRequest): Promise<DeliveryResult> {
    return this.deliver(r.requesterId, requestCard(r, { viewerId: r.requesterId }), r.id, 'status');
  }

  async accountApproved(a: RegisteredAccount, r: AccountRequest): Promise<DeliveryResult[]> {
    const [ict] = await this.o.directory.findByRole('ictLeader');
    const results: DeliveryResult[] = [];
    for (const admin of a.administrators) {
      results.push(await this.deliver(admin.id, accountApprovedCard(a, r, ict?.name ?? 'the network manager'), r.id, 'account'));
    }
    return results;
  }

  /** Edits every earlier request card in place, so old buttons disappear once someone has acted. */
  async refreshSentCards(r: AccountRequest): Promise<void> {
    for (const sent of await this.o.conversations.sentCards(r.id)) {
      if (sent.purpose === 'account') continue;
      const address = await this.o.conversations.lookup(sent.userId);
      if (!address || address.conversationId !== sent.conversationId) continue;
      const reference = JSON.parse(address.reference) as ConversationReference;
      try {
        await this.o.adapter.continueConversationAsync(this.o.botAppId, reference, async (ctx) => {
          const update = cardMessage(requestCard(r, { viewerId: sent.userId }));
          update.id = sent.activityId;
          await withConnectorRetry(() => ctx.updateActivity(update));
        });
      } catch (e) {
        this.o.log(`could not update card ${sent.activityId} for ${sent.userId}: status ${statusOf(e) ?? (e as Error).message}`);
      }
    }
  }

  private async deliver(userId: string, card: AdaptiveCard, requestId: string, purpose: string): Promise<DeliveryResult> {
    try {
      const address = await this.o.conversations.lookup(userId);
      let sent: { conversationId: string; activityId: string } | undefined;
      if (address) {
        try {
          sent = await this.sendTo(JSON.parse(address.reference), card);
        } catch (e) {
          // A stored conversation can go stale (app reinstalled); fall through and create a new one.
          if (statusOf(e) !== 403 && statusOf(e) !== 404) throw e;
        }
      }
      sent ??= await this.createAndSend(userId, card, address?.serviceUrl);
      await this.o.conversations.recordSentCard({ requestId, userId, conversationId: sent.conversationId, activityId: sent.activityId, purpose });
      return { kind: 'sent', userId };
    } catch (e) {
      const status = statusOf(e);
      this.o.log(`delivery to ${userId} failed: ${status ?? (e as Error).message}`);
      if (status === 403 || status === 404) return { kind: 'recipientNotFound', userId };
      if (status === 429) return { kind: 'throttled', userId, retryAfterMs: 1000 };
      return { kind: 'failed', userId, reason: status ? `connector answered ${status}` : (e as Error).message };
    }
  }

  private async sendTo(reference: ConversationReference, card: AdaptiveCard) {
    let out: { conversationId: string; activityId: string } | undefined;
    await this.o.adapter.continueConversationAsync(this.o.botAppId, reference, async (ctx) => {
      const res = await withConnectorRetry(() => ctx.sendActivity(cardMessage(card)));
      out = { conversationId: ctx.activity.conversation.id, activityId: res?.id ?? '' };
    });
    return out!;
  }

  /**
   * Opens a 1:1 chat with someone who may never have written to the bot. Teams
   * accepts the Entra object id as the member id once the app is installed for
   * that user (learn.microsoft.com, "Send proactive messages", personal scope).
   */
  private async createAndSend(userId: string, card: AdaptiveCard, knownServiceUrl?: string) {
    const serviceUrl = knownServiceUrl ?? this.o.conversations.serviceUrl() ?? this.o.defaultServiceUrl;
    if (!serviceUrl) throw new Error('no connector address known yet: nobody has written to the bot');
    let out: { conversationId: string; activityId: string } | undefined;
    await withConnectorRetry(() =>
      this.o.adapter.createConversationAsync(
        this.o.botAppId,
        'msteams',
        serviceUrl,
        '',
        {
          isGroup: false,
          bot: { id: this.o.botAppId || 'countersign', name: 'Countersign' },
          members: [{ id: userId, name: '' }],
          tenantId: this.o.tenantId,
          channelData: { tenant: { id: this.o.tenantId } },
        } as any,
        async (ctx) => {
          const reference = TurnContext.getConversationReference(ctx.activity) as ConversationReference;
          await this.o.conversations.remember({
            userId,
            conversationId: ctx.activity.conversation.id,
            serviceUrl,
            tenantId: this.o.tenantId,
            reference: JSON.stringify({ ...reference, user: { id: userId, aadObjectId: userId } }),
          });
          const res = await withConnectorRetry(() => ctx.sendActivity(cardMessage(card)));
          out = { conversationId: ctx.activity.conversation.id, activityId: res?.id ?? '' };
        },
      ),
    );
    return out!;
  }
}
