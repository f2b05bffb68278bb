import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { MeResponse } from '../../../src/contract/api';
import type { TabPage } from '../../../src/domain/tab-pages';
import type { ThemeName } from '../teams';

/** What every page is given: who is signed in, the rest of the address after the page's name, the theme, and a way to move. */
export interface PageProps {
  me: MeResponse;
  /** Path segments after the page id: `#/approvals/abc` gives ['abc']. */
  path: string[];
  theme: ThemeName;
  navigate(to: string): void;
  /** The demo's "act as this person" (Demo inboxes): switches the signed-in person. */
  signInAs?(personId: string): Promise<void>;
}

/** One bundle per page, loaded when first opened. */
export const pageComponents: Record<TabPage, LazyExoticComponent<ComponentType<PageProps>>> = {
  tasks: lazy(() => import('./tasks.page')),
  approvals: lazy(() => import('./approvals.page')),
  campaigns: lazy(() => import('./campaigns.page')),
  register: lazy(() => import('./register.page')),
  policies: lazy(() => import('./policies.page')),
  inboxes: lazy(() => import('./inboxes.page')),
};
