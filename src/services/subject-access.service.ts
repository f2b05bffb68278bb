import type { AccountRequest } from '../domain/account-request';
import { domainError, ErrorCodes, type DomainError } from '../domain/errors';
import type { Actor, StaffMember } from '../domain/people';
import type { Viewer } from '../domain/request-permissions';
import { err, ok, type Result } from '../domain/result';
import {
  partsIn,
  partsInAccount,
  SUBJECT_ACCESS_COLUMNS,
  SUBJECT_ACCESS_FORMAT,
  SUBJECT_ACCESS_NOTES,
  subjectAccessFileBase,
  subjectAccessRows,
  type CampaignRecord,
  type ExportedAuditEntry,
  type SubjectAccessExport,
} from '../domain/subject-access';
import { pageRefusal } from '../domain/tab-pages';
import type { CampaignStore } from '../ports/campaign-store';
import type { Clock } from '../ports/clock';
import type { IdSource } from '../ports/ids';
import type { PolicyStore } from '../ports/policy-store';
import type { AuditEntry, Store } from '../ports/store';
import { csvRow } from './csv';

export interface SubjectAccessDeps {
  store: Store;
  policies: PolicyStore;
  campaigns: CampaignStore;
  clock: Clock;
  ids: IdSource;
}

/** Who asks for an export: a policy admin in the tab (checked with the Settings page's rule), or the operator of the command line. */
export type Requester = { kind: 'staff'; actor: Actor; viewer: Viewer; schoolId: string } | { kind: 'operator'; actor: Actor };

export interface SubjectAccessFiles {
  export: SubjectAccessExport;
  /** File name without extension: `<base>.json`, `<base>.csv`. */
  fileBase: string;
  json: string;
  csv: string;
}

/** Requests read per page while looking for the ones that name the person. */
const REQUEST_PAGE = 200;

/**
 * A subject access export (UK GDPR, Article 15): gathers everything the stores hold about one person
 * (their staff record, requests, decisions, accounts, signatures, campaign records, audit entries and
 * where the bot reaches them), records that it was exported (an audit entry on the person: who, whose,
 * when), and renders it as JSON and CSV. Shared by `npm run export:person` and the Settings page.
 */
export class SubjectAccessService {
  constructor(private readonly d: SubjectAccessDeps) {}

  /** The person named by their id or e-mail address (case-insensitive), if Countersign holds them. */
  async findPerson(idOrEmail: string): Promise<StaffMember | undefined> {
    const key = idOrEmail.trim();
    if (!key) return undefined;
    return (await this.d.store.getStaff(key)) ?? (key.includes('@') ? await this.d.store.getStaffByEmail(key) : undefined);
  }

  async export(by: Requester, idOrEmail: string): Promise<Result<SubjectAccessFiles, DomainError>> {
    if (by.kind === 'staff') {
      // The Settings page's rule (policy admins), decided once in the domain.
      const refusal = pageRefusal(by.viewer, 'settings', { demo: false });
      if (refusal) return err(refusal);
    }
    const person = await this.findPerson(idOrEmail);
    // Another school's person is not there for this school's admin: the same answer as nobody.
    if (!person || (by.kind === 'staff' && person.schoolId !== by.schoolId)) {
      return err(domainError(ErrorCodes.SUBJECT_NOT_FOUND, `Countersign holds nobody with the id or e-mail address “${idOrEmail.trim().slice(0, 200)}”.`, { fields: { personId: 'Choose someone from the staff list.' } }));
    }
    const generatedAt = this.d.clock.now().toISOString();
    const x = await this.gather(person, by.actor, generatedAt);
    const entry: AuditEntry = {
      id: this.d.ids.next(),
      schoolId: person.schoolId,
      entityType: 'staff',
      entityId: person.id,
      actorId: by.actor.id,
      actorName: by.actor.name,
      action: 'subject-access.export',
      at: generatedAt,
      before: null,
      after: JSON.stringify({ format: SUBJECT_ACCESS_FORMAT, via: by.kind === 'staff' ? 'tab' : 'command line', records: counts(x) }),
    };
    await this.d.store.appendAudit(entry);
    // The export shows its own entry: the person learns of every export, this one included.
    x.audit.push(entry);
    const day = generatedAt.slice(0, 10);
    return ok({ export: x, fileBase: subjectAccessFileBase(person, day), json: `${JSON.stringify(x, null, 2)}\n`, csv: toCsv(x) });
  }

  private async gather(person: StaffMember, by: Actor, generatedAt: string): Promise<SubjectAccessExport> {
    const { store, policies, campaigns } = this.d;
    const id = person.id;

    // A request names people inside its answers (administrators, moderators, approval steps): no index can
    // answer "named in", so the school's requests are read a page at a time (on SharePoint each page is a
    // range on the indexed CreatedAt, within the list view threshold). A school has hundreds, not millions.
    const made: AccountRequest[] = [];
    const named: SubjectAccessExport['requestsNamingThem'] = [];
    const references = new Map<string, string>();
    for (let after: { createdAt: string; id: string } | undefined, first = true; first || after; first = false) {
      const page = await store.listRequestsPage({ schoolId: person.schoolId, limit: REQUEST_PAGE, after });
      for (const r of page.items) {
        references.set(r.id, r.reference);
        if (r.requesterId === id) made.push(r);
        else {
          const parts = partsIn(r, id);
          if (parts.length) named.push({ requestId: r.id, reference: r.reference, platform: r.details.platform, department: r.details.department, status: r.status, requesterName: r.requesterName, createdAt: r.createdAt, parts });
        }
      }
      after = page.next;
    }
    made.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    named.sort((a, b) => a.createdAt.localeCompare(b.createdAt));

    const decisions = [];
    for (const d of await store.listDecisionsByActor(id)) {
      const reference = references.get(d.requestId) ?? (await store.getRequest(d.requestId))?.value.reference ?? '';
      decisions.push({ ...d, reference });
    }

    const accounts = (await store.listAccounts())
      .map((a) => ({ a, parts: partsInAccount(a, id) }))
      .filter((x) => x.parts.length)
      .map(({ a, parts }) => ({
        accountId: a.id,
        reference: a.reference,
        platform: a.platform,
        department: a.department,
        host: a.host,
        goLive: a.goLive,
        closure: a.closure,
        approvedAt: a.approvedAt,
        parts,
        ...(a.confirmation?.byId === id ? { confirmation: a.confirmation } : {}),
      }));

    const policyList = await policies.listPolicies();
    const policyName = new Map(policyList.map((p) => [p.id, p.name]));
    const declarations = (await policies.listDeclarationsBySigner(id)).map((d) => ({ ...d, policyName: policyName.get(d.policyId) ?? '' }));

    // Per policy version (a school publishes a few a year): what they opened and their campaign records, each an indexed read.
    const documentsOpened: SubjectAccessExport['documentsOpened'] = [];
    const campaignRecords: CampaignRecord[] = [];
    const campaignTitles = new Map<string, string>();
    for (const p of policyList) {
      for (const v of await policies.listVersions(p.id)) {
        if (await policies.hasOpened(id, v.id)) documentsOpened.push({ versionId: v.id, policyName: p.name, versionLabel: v.versionLabel });
        for (const { value: r } of await campaigns.recipientsFor(id, v.id)) {
          if (!campaignTitles.has(r.campaignId)) campaignTitles.set(r.campaignId, (await campaigns.getCampaign(r.campaignId))?.title ?? '');
          campaignRecords.push({ ...r, campaignTitle: campaignTitles.get(r.campaignId)!, versionLabel: v.versionLabel });
        }
      }
    }
    campaignRecords.sort((a, b) => (a.sentAt ?? a.updatedAt).localeCompare(b.sentAt ?? b.updatedAt));
    // A school runs a handful of campaigns a year: read them all, keep the ones the person launched or closed.
    const campaignsRun = (await campaigns.listCampaigns())
      .map((c) => ({ c, parts: [...(c.launchedBy === id ? (['launched'] as const) : []), ...(c.closed?.by === id ? (['closed'] as const) : [])] }))
      .filter((x) => x.parts.length)
      .map(({ c, parts }) => ({ campaignId: c.id, title: c.title, versionLabel: c.versionLabel, launchedAt: c.launchedAt, deadline: c.deadline, parts }))
      .sort((a, b) => a.launchedAt.localeCompare(b.launchedAt));

    // Their own records' histories, whoever acted; and everything they did, on anyone's record.
    const own = new Set([id, ...made.map((r) => r.id), ...declarations.map((d) => d.id), ...accounts.filter((a) => a.parts.includes('owner')).map((a) => a.accountId)]);
    const entries = new Map<string, AuditEntry>();
    for (const entityId of own) for (const e of await store.listAudit(entityId)) entries.set(e.id, e);
    for (const e of await store.listAuditByActor(id)) entries.set(e.id, e);
    const audit: ExportedAuditEntry[] = [...entries.values()]
      .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id))
      .map((e) => (own.has(e.entityId) ? { ...e } : { ...e, before: null, after: null, snapshotsWithheld: 'The record is another person’s: its snapshots are third-party data.' }));

    const c = await store.getConversation(id);
    return {
      format: SUBJECT_ACCESS_FORMAT,
      generatedAt,
      generatedBy: { id: by.id, name: by.name },
      person,
      requestsMade: made,
      requestsNamingThem: named,
      decisions,
      accounts,
      declarations,
      documentsOpened,
      campaignRecords,
      campaignsRun,
      audit,
      conversation: c ? { conversationId: c.conversationId, serviceUrl: c.serviceUrl, tenantId: c.tenantId, updatedAt: c.updatedAt } : null,
      notes: SUBJECT_ACCESS_NOTES,
    };
  }
}

const counts = (x: SubjectAccessExport) => ({
  requestsMade: x.requestsMade.length,
  requestsNamingThem: x.requestsNamingThem.length,
  decisions: x.decisions.length,
  accounts: x.accounts.length,
  declarations: x.declarations.length,
  campaignRecords: x.campaignRecords.length,
  campaignsRun: x.campaignsRun.length,
  auditEntries: x.audit.length,
});

/** One sheet, a row per record (subjectAccessRows), cells escaped and formula-safe (csv.ts); CRLF as RFC 4180 asks, with a BOM so Excel reads UTF-8. */
function toCsv(x: SubjectAccessExport): string {
  const lines = [csvRow(SUBJECT_ACCESS_COLUMNS.map(([, label]) => label)), ...subjectAccessRows(x).map((r) => csvRow(SUBJECT_ACCESS_COLUMNS.map(([k]) => r[k])))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
