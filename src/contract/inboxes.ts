/** The embedded demo's inboxes: every card sent to each demo person, as the tab shows them. */
import type { SchoolRole } from '../domain/people';

export interface InboxPerson {
  id: string;
  name: string;
  jobTitle: string;
  roles: SchoolRole[];
  /** Cards kept for them so far. */
  cards: number;
}

export interface InboxCardView {
  id: string;
  /** What the card is for: approval, status, account, declaration, declaration-reminder, ... */
  kind: string;
  card: object;
  keptAt: string;
  updatedAt: string;
}

export interface InboxView {
  person: { id: string; name: string; jobTitle: string };
  /** Newest first. */
  cards: InboxCardView[];
}

export interface CardActionAnswer {
  /** The card that replaces the one pressed, as in a Teams chat. */
  card: object;
}
