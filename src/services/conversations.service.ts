import type { Clock } from '../ports/clock';
import type { ConversationAddress, SentCard, Store, TeamAddress } from '../ports/store';

/**
 * Remembers where each person can be reached and which cards were sent, so
 * later messages reuse a conversation instead of creating one each time, and
 * sent cards can be edited in place.
 */
export class ConversationService {
  private lastServiceUrl: string | undefined;
  /** userId → "conversationId serviceUrl" already stored, so a chatty user costs no store read per message. */
  private readonly known = new Map<string, string>();
  /**
   * Addresses read or written here, so sending to someone again costs no store read (on SharePoint a
   * Graph request per card). Another instance may have moved a person's chat meanwhile: the send then
   * fails with 403/404 and the notifier opens the chat afresh, which stores and caches the new address.
   */
  private readonly addresses = new Map<string, ConversationAddress>();
  /** Kept small: a stored reference is about a kilobyte, and a 30,000-person campaign meets each person once. */
  private static readonly CACHED_ADDRESSES = 2_000;

  /** People a lookup just found no address for: the chat the notifier then opens needs no second read to store. */
  private readonly absent = new Set<string>();

  constructor(private readonly store: Store, private readonly clock: Clock) {}

  async remember(address: Omit<ConversationAddress, 'updatedAt'>): Promise<void> {
    this.lastServiceUrl = address.serviceUrl;
    const key = `${address.conversationId} ${address.serviceUrl}`;
    if (this.known.get(address.userId) === key) return;
    const stored = this.absent.delete(address.userId) ? undefined : await this.store.getConversation(address.userId);
    // Skip the write when nothing changed: every message would otherwise cost a store write.
    const now = { ...address, updatedAt: this.clock.now().toISOString() };
    if (!stored || stored.conversationId !== address.conversationId || stored.serviceUrl !== address.serviceUrl) {
      await this.store.saveConversation(now);
    }
    this.cache(address.userId, stored && stored.conversationId === address.conversationId && stored.serviceUrl === address.serviceUrl ? stored : now);
    if (this.known.size > 50_000) this.known.clear();
    this.known.set(address.userId, key);
  }

  async lookup(userId: string): Promise<ConversationAddress | undefined> {
    const cached = this.addresses.get(userId);
    if (cached) {
      this.cache(userId, cached);
      return cached;
    }
    const stored = await this.store.getConversation(userId);
    if (stored) this.cache(userId, stored);
    else {
      if (this.absent.size >= ConversationService.CACHED_ADDRESSES) this.absent.clear();
      this.absent.add(userId);
    }
    return stored;
  }

  /** Least recently used goes first: a Map keeps insertion order, and a hit is moved to the end. */
  private cache(userId: string, address: ConversationAddress) {
    this.addresses.delete(userId);
    this.addresses.set(userId, address);
    if (this.addresses.size > ConversationService.CACHED_ADDRESSES) this.addresses.delete(this.addresses.keys().next().value!);
  }

  /** The connector address last seen from the channel, for creating conversations with people who never wrote. */
  serviceUrl(): string | undefined {
    return this.lastServiceUrl;
  }

  /**
   * Countersign was added to a team (or installed there again): the team and how to reach it. A team
   * already known keeps the time it was first added, unless it had been removed since.
   */
  async teamAdded(team: Omit<TeamAddress, 'addedAt' | 'updatedAt' | 'removedAt'>): Promise<void> {
    const at = this.clock.now().toISOString();
    const before = await this.store.getTeam(team.teamId);
    await this.store.saveTeam({ ...team, addedAt: before && !before.removedAt ? before.addedAt : at, updatedAt: at });
  }

  /** Countersign was removed from a team: kept, marked removed, so campaigns launched to it still name it. */
  async teamRemoved(teamId: string): Promise<void> {
    const before = await this.store.getTeam(teamId);
    if (!before || before.removedAt) return;
    const at = this.clock.now().toISOString();
    await this.store.saveTeam({ ...before, removedAt: at, updatedAt: at });
  }

  /** A team Countersign is in was renamed. */
  async teamRenamed(teamId: string, name: string): Promise<void> {
    const before = await this.store.getTeam(teamId);
    if (!before || !name.trim() || before.name === name) return;
    await this.store.saveTeam({ ...before, name, updatedAt: this.clock.now().toISOString() });
  }

  /** The teams Countersign is in now, by name. */
  async currentTeams(): Promise<TeamAddress[]> {
    return (await this.store.listTeams()).filter((t) => !t.removedAt);
  }

  /** A team as stored, removed or not. */
  team(teamId: string): Promise<TeamAddress | undefined> {
    return this.store.getTeam(teamId);
  }

  recordSentCard(card: Omit<SentCard, 'sentAt'>): Promise<void> {
    return this.store.recordSentCard({ ...card, sentAt: this.clock.now().toISOString() });
  }

  sentCards(requestId: string): Promise<SentCard[]> {
    return this.store.listSentCards(requestId);
  }
}
