import type { Clock } from '../ports/clock';
import type { DemoInboxStore, InboxCard } from '../ports/demo-inbox';

export interface KeptCard {
  personId: string;
  kind: string;
  card: object;
  requestId?: string;
  campaignId?: string;
  /** Set when the Playground showed the card too. */
  activityId?: string;
}

/**
 * Embedded mode's demo inboxes: the notifier keeps every card it sends to a
 * demo person here, and the tab reads each person's inbox. Absent in every
 * other mode, where people have their own Teams chats.
 */
export class DemoInboxService {
  constructor(
    private readonly store: DemoInboxStore,
    private readonly clock: Clock,
    private readonly schoolId: string,
    /** The demo people: only their cards are kept (the campaign benchmark adds 30,000 made-up staff, whose cards would fill the file). */
    private readonly people: ReadonlySet<string>,
  ) {}

  /** Whether this person has a demo inbox. */
  keeps(personId: string): boolean {
    return this.people.has(personId);
  }

  async keep(c: KeptCard): Promise<void> {
    if (!this.keeps(c.personId)) return;
    return this.store.keep({
      schoolId: this.schoolId,
      personId: c.personId,
      kind: c.kind,
      card: c.card,
      requestId: c.requestId ?? null,
      campaignId: c.campaignId ?? null,
      activityId: c.activityId ?? null,
      keptAt: this.clock.now().toISOString(),
    });
  }

  /** Every card kept for this person, newest first. */
  listInbox(personId: string): Promise<InboxCard[]> {
    return this.store.listInbox(personId);
  }

  aboutRequest(requestId: string): Promise<InboxCard[]> {
    return this.store.aboutRequest(requestId);
  }

  /** A card brought up to date, as a sent card is edited in place in a chat. */
  replaceCard(id: string, card: object): Promise<void> {
    return this.store.replaceCard(id, card, this.clock.now().toISOString());
  }
}
