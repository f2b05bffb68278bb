import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { TabPage } from '../../../src/domain/tab-pages';
import type { PageProps } from './page-props';

/** One bundle per page, loaded when first opened. */
export const pageComponents: Record<TabPage, LazyExoticComponent<ComponentType<PageProps>>> = {
  tasks: lazy(() => import('./tasks.page')),
  approvals: lazy(() => import('./approvals.page')),
  campaigns: lazy(() => import('./campaigns.page')),
  register: lazy(() => import('./register.page')),
  policies: lazy(() => import('./policies.page')),
  settings: lazy(() => import('./settings.page')),
  inboxes: lazy(() => import('./inboxes.page')),
};
