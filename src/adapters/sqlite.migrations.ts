/** Schema migrations, applied in order; PRAGMA user_version records how many have run. Never edit one that has shipped. */
export const migrations: string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE requests (
     id TEXT PRIMARY KEY, reference TEXT NOT NULL UNIQUE, requester_id TEXT NOT NULL, status TEXT NOT NULL,
     current_approver_id TEXT, etag INTEGER NOT NULL, data TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE INDEX requests_requester ON requests(requester_id);
   CREATE INDEX requests_approver ON requests(current_approver_id);
   CREATE TABLE decisions (
     id TEXT PRIMARY KEY, request_id TEXT NOT NULL, round INTEGER NOT NULL, step INTEGER NOT NULL, role TEXT NOT NULL,
     outcome TEXT NOT NULL, actor_id TEXT NOT NULL, actor_name TEXT NOT NULL, signature TEXT NOT NULL, comment TEXT NOT NULL, at TEXT NOT NULL,
     UNIQUE (request_id, round, step));
   CREATE TABLE audit (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, entity_type TEXT NOT NULL, entity_id TEXT NOT NULL,
     actor_id TEXT NOT NULL, actor_name TEXT NOT NULL, action TEXT NOT NULL, at TEXT NOT NULL, before TEXT, after TEXT);
   CREATE INDEX audit_entity ON audit(entity_id);
   CREATE TABLE accounts (id TEXT PRIMARY KEY, request_id TEXT NOT NULL UNIQUE, approved_at TEXT NOT NULL, data TEXT NOT NULL);
   CREATE TABLE conversations (
     user_id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, service_url TEXT NOT NULL, tenant_id TEXT NOT NULL,
     reference TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE TABLE sent_cards (
     request_id TEXT NOT NULL, user_id TEXT NOT NULL, conversation_id TEXT NOT NULL, activity_id TEXT NOT NULL,
     purpose TEXT NOT NULL, sent_at TEXT NOT NULL, PRIMARY KEY (request_id, user_id, activity_id));
   CREATE TABLE staff (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, department TEXT NOT NULL, job_title TEXT NOT NULL, roles TEXT NOT NULL);`,
  `CREATE TABLE policies (id TEXT PRIMARY KEY, name TEXT NOT NULL);
   CREATE TABLE policy_versions (
     id TEXT PRIMARY KEY, policy_id TEXT NOT NULL, effective_date TEXT NOT NULL, published_at TEXT NOT NULL,
     content_hash TEXT NOT NULL, data TEXT NOT NULL);
   CREATE INDEX policy_versions_policy ON policy_versions(policy_id);
   CREATE TABLE declarations (
     id TEXT PRIMARY KEY, signer_id TEXT NOT NULL, version_id TEXT NOT NULL, policy_id TEXT NOT NULL, campaign_id TEXT,
     signed_at TEXT NOT NULL, data TEXT NOT NULL, UNIQUE (signer_id, version_id));
   CREATE TABLE policy_opens (user_id TEXT NOT NULL, version_id TEXT NOT NULL, first_at TEXT NOT NULL, PRIMARY KEY (user_id, version_id));
   CREATE TABLE campaigns (id TEXT PRIMARY KEY, version_id TEXT NOT NULL, launched_at TEXT NOT NULL, data TEXT NOT NULL);
   CREATE TABLE recipients (
     campaign_id TEXT NOT NULL, user_id TEXT NOT NULL, version_id TEXT NOT NULL, department TEXT NOT NULL, state TEXT NOT NULL,
     etag INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (campaign_id, user_id));
   CREATE INDEX recipients_state ON recipients(campaign_id, state, department);
   CREATE INDEX recipients_user ON recipients(user_id, version_id);
   CREATE TABLE jobs (
     id TEXT PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, run_at TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, lease_until TEXT, last_error TEXT);
   CREATE INDEX jobs_due ON jobs(status, run_at);`,
  `CREATE INDEX jobs_lease ON jobs(status, lease_until);`,
  // At most one open campaign per policy version, enforced by a partial unique index. Campaigns launched
  // before this rule may share a version: all but the latest of each version are closed first.
  `ALTER TABLE campaigns ADD COLUMN closed_at TEXT;
   UPDATE campaigns SET
     closed_at = (SELECT MIN(l.launched_at) FROM campaigns l WHERE l.version_id = campaigns.version_id AND (l.launched_at > campaigns.launched_at OR (l.launched_at = campaigns.launched_at AND l.id > campaigns.id))),
     data = json_set(data, '$.closed', json_object('at', (SELECT MIN(l.launched_at) FROM campaigns l WHERE l.version_id = campaigns.version_id AND (l.launched_at > campaigns.launched_at OR (l.launched_at = campaigns.launched_at AND l.id > campaigns.id))), 'by', '', 'byName', 'Countersign (a later campaign for the same version)'))
   WHERE EXISTS (SELECT 1 FROM campaigns l WHERE l.version_id = campaigns.version_id AND (l.launched_at > campaigns.launched_at OR (l.launched_at = campaigns.launched_at AND l.id > campaigns.id)));
   CREATE UNIQUE INDEX campaigns_open_version ON campaigns(version_id) WHERE closed_at IS NULL;`,
  // Every record knows its school. Rows from before are NULL until SqliteStore's constructor stamps them
  // with the configured school (a migration cannot read configuration); indexed, for that and for a trust's filters.
  `ALTER TABLE requests ADD COLUMN school_id TEXT;
   ALTER TABLE decisions ADD COLUMN school_id TEXT;
   ALTER TABLE audit ADD COLUMN school_id TEXT;
   ALTER TABLE accounts ADD COLUMN school_id TEXT;
   ALTER TABLE staff ADD COLUMN school_id TEXT;
   ALTER TABLE policies ADD COLUMN school_id TEXT;
   ALTER TABLE policy_versions ADD COLUMN school_id TEXT;
   ALTER TABLE declarations ADD COLUMN school_id TEXT;
   ALTER TABLE campaigns ADD COLUMN school_id TEXT;
   ALTER TABLE recipients ADD COLUMN school_id TEXT;
   ALTER TABLE jobs ADD COLUMN school_id TEXT;
   CREATE INDEX requests_school ON requests(school_id);
   CREATE INDEX decisions_school ON decisions(school_id);
   CREATE INDEX audit_school ON audit(school_id);
   CREATE INDEX accounts_school ON accounts(school_id);
   CREATE INDEX staff_school ON staff(school_id);
   CREATE INDEX policies_school ON policies(school_id);
   CREATE INDEX policy_versions_school ON policy_versions(school_id);
   CREATE INDEX declarations_school ON declarations(school_id);
   CREATE INDEX campaigns_school ON campaigns(school_id);
   CREATE INDEX recipients_school ON recipients(school_id);
   CREATE INDEX jobs_school ON jobs(school_id);`,
  // The job queue takes a message queue's shape (ports/job-queue.ts): visible_at is the visibility
  // timeout (runAt while waiting, the lease's end while held), receipt the pop receipt; queued, done or poison.
  // lease_until is no longer used. Jobs that were running keep a receipt, so recoverAfterRestart frees them.
  `ALTER TABLE jobs ADD COLUMN visible_at TEXT;
   ALTER TABLE jobs ADD COLUMN receipt TEXT;
   UPDATE jobs SET
     visible_at = CASE status WHEN 'pending' THEN run_at WHEN 'running' THEN COALESCE(lease_until, run_at) END,
     receipt = CASE status WHEN 'running' THEN 'migrated' END,
     status = CASE status WHEN 'pending' THEN 'queued' WHEN 'running' THEN 'queued' WHEN 'failed' THEN 'poison' ELSE status END,
     lease_until = NULL;
   DROP INDEX jobs_due;
   DROP INDEX jobs_lease;
   CREATE INDEX jobs_visible ON jobs(status, visible_at);`,
  // Embedded mode's demo inboxes: every card sent to a demo person, whether or not the Agents Playground has
  // their chat (it knows only a few of them), so the tab can show each person's side (ports/demo-inbox.ts).
  `CREATE TABLE demo_inbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, school_id TEXT NOT NULL, person_id TEXT NOT NULL, kind TEXT NOT NULL, card TEXT NOT NULL,
     request_id TEXT, campaign_id TEXT, activity_id TEXT, kept_at TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE INDEX demo_inbox_person ON demo_inbox(person_id, seq);
   CREATE INDEX demo_inbox_request ON demo_inbox(request_id);`,
  // The Approvals page lists a school's requests newest first, a page at a time (keyset on created_at, id).
  `CREATE INDEX requests_school_created ON requests(school_id, created_at, id);`,
  // Accounts in the register change (go-live confirmed, administrators handed over): guarded by a version, as requests are.
  `ALTER TABLE accounts ADD COLUMN etag INTEGER NOT NULL DEFAULT 1;`,
  // A campaign can reach people who joined since a date; people who left stay, for the records that name them.
  `ALTER TABLE staff ADD COLUMN joined_on TEXT;
   ALTER TABLE staff ADD COLUMN left_on TEXT;`,
  // COUNTERSIGN_ADMINS names people by e-mail (their UPN).
  `CREATE INDEX staff_email ON staff(email COLLATE NOCASE);`,
  // The teams Countersign was added to (the bot's conversationUpdate), so a campaign can go to a team's members.
  `CREATE TABLE teams (team_id TEXT PRIMARY KEY, name TEXT NOT NULL, data TEXT NOT NULL);`,
  // The audit trail as a hash chain per school (domain/audit-chain.ts): each entry's place, the hash of the one
  // before, its own hash, and the decision or signature it records. The head lets the verifier notice entries cut
  // from the end. Entries from before this are chained once, in their order, by SqliteStore (sealLegacyAudit).
  `ALTER TABLE audit ADD COLUMN chain_seq INTEGER;
   ALTER TABLE audit ADD COLUMN prev_hash TEXT;
   ALTER TABLE audit ADD COLUMN hash TEXT;
   ALTER TABLE audit ADD COLUMN record_kind TEXT;
   ALTER TABLE audit ADD COLUMN record_id TEXT;
   ALTER TABLE audit ADD COLUMN record_hash TEXT;
   CREATE UNIQUE INDEX audit_chain ON audit(school_id, chain_seq);
   CREATE INDEX audit_record ON audit(record_kind, record_id) WHERE record_id IS NOT NULL;
   CREATE TABLE audit_heads (school_id TEXT PRIMARY KEY, count INTEGER NOT NULL, hash TEXT NOT NULL);`,
  // Retention (domain/retention.ts): an entry about a removed record keeps its content hash and loses its personal
  // data; a checkpoint signed with the server's key names every entry so blanked, so the chain still verifies.
  `ALTER TABLE audit ADD COLUMN content_hash TEXT;
   ALTER TABLE audit ADD COLUMN redacted_in TEXT;
   CREATE TABLE audit_checkpoints (id TEXT PRIMARY KEY, school_id TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL, mac TEXT NOT NULL);`,
  // A subject access export reads everything one person did: their decisions and the audit entries they are the actor of.
  `CREATE INDEX audit_actor ON audit(actor_id);
   CREATE INDEX decisions_actor ON decisions(actor_id);`,
];
