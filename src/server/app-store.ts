import type { AuditTrail } from '../ports/audit-trail';
import type { RetentionStore } from '../ports/retention-store';
import type { CampaignStore } from '../ports/campaign-store';
import type { JobQueue } from '../ports/job-queue';
import type { PolicyStore } from '../ports/policy-store';
import type { Store } from '../ports/store';

/** Every port a store adapter provides: SQLite and SharePoint both do. */
export type AppStore = Store & { policies: PolicyStore; campaigns: CampaignStore; jobs: JobQueue; audit: AuditTrail; retention: RetentionStore; close(): void };
