/**
 * The tab's JSON API: the shapes both sides share. Types only: the tab
 * imports this file and the card builders, never server code (DESIGN.md).
 * Each page's own shapes live beside this file, one module a page.
 */
import type { SchoolRole } from '../domain/people';
import type { TabPage } from '../domain/tab-pages';

/** Every error the API answers, whatever the status. `field` names the input at fault (dotted path) for a 400. */
export interface ApiErrorBody {
  error: string;
  message: string;
  field?: string;
  /** Several fields at fault, each with its own message (form checks). */
  fields?: Record<string, string>;
}

/** A page of a list. `next` is an opaque cursor for the following page; absent on the last page. */
export interface ListPage<T> {
  items: T[];
  next?: string;
  /** How many match in all, when the server knows it cheaply. */
  total?: number;
}

export interface MeResponse {
  person: { id: string; name: string; jobTitle: string; department: string; roles: SchoolRole[] };
  /** The pages this person may use, in navigation order; every other page's API answers 403. */
  pages: Array<{ id: TabPage; label: string }>;
  school: { name: string; timeZone: string };
  /** The embedded demo (dev sign-in and demo inboxes). */
  demo: boolean;
}

/** Embedded mode only: the people one may sign in as. */
export interface DevPerson {
  id: string;
  name: string;
  jobTitle: string;
  roles: SchoolRole[];
}

export interface DevSession {
  token: string;
  expiresAt: string;
}

export const apiPaths = {
  me: '/api/me',
  devPeople: '/api/dev/people',
  devSession: '/api/dev/session',
} as const;
