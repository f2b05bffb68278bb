/**
 * Embedded mode only: every card sent to a demo person, kept so that the tab can
 * show each person's inbox and let the viewer act as them. The Agents Playground
 * knows only a few of the demo people; for the others this is the only copy.
 */
export interface InboxCard {
  /** Stable within one database: the order cards were kept in. */
  id: string;
  schoolId: string;
  personId: string;
  /** What the card is for, as the notifier names it: approval, status, account, declaration, declaration-reminder, account-closure, ... */
  kind: string;
  /** The Adaptive Card as it was sent (or last updated), as JSON. */
  card: object;
  requestId: string | null;
  campaignId: string | null;
  /** The Playground's copy, when it has this person's chat; null when the card is kept here only. */
  activityId: string | null;
  keptAt: string;
  updatedAt: string;
}

export type NewInboxCard = Omit<InboxCard, 'id' | 'updatedAt'>;

export interface DemoInboxStore {
  keep(card: NewInboxCard): Promise<void>;
  /** Newest first. */
  listInbox(personId: string): Promise<InboxCard[]>;
  aboutRequest(requestId: string): Promise<InboxCard[]>;
  replaceCard(id: string, card: object, at: string): Promise<void>;
}
