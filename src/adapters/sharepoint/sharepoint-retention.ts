import { contentText } from '../../domain/audit-chain';
import { ANONYMISED_NAME, emptyPlan, type RetentionCutoffs, type RetentionPlan } from '../../domain/retention';
import type { RetentionCheckpoint, RetentionOutcome, RetentionStore } from '../../ports/retention-store';
import type { AuditEntry } from '../../ports/store';
import type { SubRequest } from './batch';
import { SharePointError } from './errors';
import { EPOCH, fromDateTime, lit, str, title, toDateTime } from './fields';
import { auditFields, auditFrom, declarationFrom, recipientKey } from './mappers';
import type { SharePointAuditTrail } from './sharepoint-audit';
import { expectOk, type Item, type SiteClient } from './site';
import { nodeHasher } from '../node-crypto';

/**
 * Retention on SharePoint. A `$batch` is not a transaction, so the order makes every crash safe to run again:
 *   seal what is open → store the signed checkpoint (it names the entries about to be blanked) → blank them
 *   → delete and anonymise the records → append the entry that says what was removed.
 * A run cut short leaves records still due (the next run finds them) and blanked entries that a stored
 * checkpoint vouches for; an entry is never blanked before the checkpoint naming it exists.
 */
export class SharePointRetention implements RetentionStore {
  constructor(
    private readonly site: SiteClient,
    private readonly audit: SharePointAuditTrail,
  ) {}

  async plan(c: RetentionCutoffs): Promise<RetentionPlan> {
    const p = emptyPlan();
    // The whole roster, paged without a filter (no threshold): leavers are found by LeftOn, which is not indexed.
    const staff: Item[] = [];
    for await (const page of this.site.pages('staff', {})) staff.push(...page);
    const leftBefore = (day: string) => staff.filter((s) => str(s.fields.LeftOn) && str(s.fields.LeftOn) < day);
    for (const s of leftBefore(c.declarationsLeftBefore)) {
      for (const it of await this.site.query('declarations', { filter: `fields/SignerId eq ${lit(str(s.fields.StaffId))}` })) {
        const d = declarationFrom(it.fields);
        p.declarations.push({ id: d.id, schoolId: d.schoolId, signerId: d.signerId, versionLabel: d.versionLabel, signedAt: d.signedAt });
      }
    }
    for (const s of leftBefore(c.campaignRecordsLeftBefore)) {
      const id = str(s.fields.StaffId);
      // UserVersionKey is "person|version": one range on its index is every campaign record of the person.
      for (const it of await this.site.query('recipients', { filter: `fields/UserVersionKey ge ${lit(`${id}|`)} and fields/UserVersionKey lt ${lit(`${id}}`)}` })) {
        p.campaignRecords.push({ campaignId: str(it.fields.CampaignId), userId: id, schoolId: str(it.fields.SchoolId) });
      }
    }
    for (const s of leftBefore(c.staffLeftBefore)) {
      if (str(s.fields.FullName) !== ANONYMISED_NAME) p.staff.push({ id: str(s.fields.StaffId), schoolId: str(s.fields.SchoolId), leftOn: str(s.fields.LeftOn) });
    }
    // Requests older than the cut-off, on the indexed CreatedAt; their status and last change are checked here.
    for (const it of await this.site.query('requests', { filter: `fields/CreatedAt ge ${EPOCH} and fields/CreatedAt lt ${lit(toDateTime(c.unsuccessfulRequestsBefore)!)}` })) {
      const status = str(it.fields.Status);
      const updatedAt = fromDateTime(it.fields.UpdatedAt) ?? '';
      if ((status === 'rejected' || status === 'withdrawn') && updatedAt < c.unsuccessfulRequestsBefore) {
        p.requests.push({ id: str(it.fields.RequestId), schoolId: str(it.fields.SchoolId), reference: str(it.fields.Reference), status, updatedAt });
      }
    }
    return p;
  }

  async apply(plan: RetentionPlan, o: { at: string; newId: () => string; sign: (data: string) => string }): Promise<RetentionOutcome[]> {
    await this.audit.seal();
    const schools = [...new Set([...plan.declarations, ...plan.campaignRecords, ...plan.staff, ...plan.requests].map((x) => x.schoolId))].sort();
    const out: RetentionOutcome[] = [];
    for (const s of schools) out.push(await this.applySchool(s, plan, o));
    return out;
  }

  private async applySchool(schoolId: string, plan: RetentionPlan, o: { at: string; newId: () => string; sign: (data: string) => string }): Promise<RetentionOutcome> {
    const mine = <T extends { schoolId: string }>(xs: T[]) => xs.filter((x) => x.schoolId === schoolId);
    const declarations = mine(plan.declarations).map((d) => d.id);
    const requests = mine(plan.requests).map((r) => r.id);
    const staff = mine(plan.staff).map((s) => s.id);
    const decisionItems = (await Promise.all(requests.map((id) => this.site.query('decisions', { filter: `fields/RequestId eq ${lit(id)}` })))).flat();
    const decisions = decisionItems.map((it) => str(it.fields.DecisionId));

    // The sealed entries about what goes, not yet blanked.
    const about = new Map<string, { itemId: string; entry: AuditEntry }>();
    const collect = async (filter: string, keep: (e: AuditEntry) => boolean) => {
      for (const it of await this.site.query('audit', { filter })) {
        const e = auditFrom(it.fields);
        if (e.schoolId === schoolId && e.chain && !e.redaction && keep(e)) about.set(e.id, { itemId: it.id, entry: e });
      }
    };
    for (const id of [...declarations, ...requests]) await collect(`fields/EntityId eq ${lit(id)}`, () => true);
    for (const id of [...declarations, ...decisions]) await collect(`fields/RecordId eq ${lit(id)}`, (e) => !!e.record);
    for (const id of staff) await collect(`fields/EntityId eq ${lit(id)}`, (e) => e.entityType === 'staff');
    const redacted = [...about.values()]
      .sort((a, b) => a.entry.chain!.seq - b.entry.chain!.seq)
      .map(({ itemId, entry: e }) => {
        const record = e.record ? { kind: e.record.kind, id: e.record.id, hash: e.record.hash ?? '' } : null;
        return { itemId, seq: e.chain!.seq, id: e.id, contentHash: nodeHasher.sha256(contentText(e, record)) };
      });

    const checkpointId = o.newId();
    const head = (await this.audit.head(schoolId)) ?? { count: 0, hash: '' };
    const checkpoint: RetentionCheckpoint = { id: checkpointId, schoolId, at: o.at, head: { count: head.count, hash: head.hash }, redacted: redacted.map(({ seq, id, contentHash }) => ({ seq, id, contentHash })) };
    const data = JSON.stringify(checkpoint);
    if (!(await this.site.create('meta', { Title: `Retention checkpoint ${o.at.slice(0, 10)} (${schoolId})`, MetaKey: `audit-checkpoint:${checkpointId}`, MetaValue: o.at, MetaText: JSON.stringify({ data, mac: o.sign(data) }) }))) {
      throw new SharePointError(`SharePoint: retention checkpoint ${checkpointId} already exists`, 409);
    }
    await this.run(
      redacted.map((r) => this.site.updateReq('audit', r.itemId, { ActorId: null, ActorName: null, EntityId: null, Before: null, After: null, ContentHash: r.contentHash, RedactedIn: checkpointId })),
      'blanking audit entries',
    );

    const itemsOf = async (list: 'requests' | 'declarations' | 'recipients', col: string, keys: string[]) =>
      (await Promise.all(keys.map((k) => this.site.findOne(list, `fields/${col} eq ${lit(k)}`)))).filter((x): x is Item => !!x);
    const del = (its: Item[], list: 'requests' | 'declarations' | 'recipients' | 'decisions') => this.run(its.map((it) => ({ method: 'DELETE' as const, url: this.site.items(list, it.id) })), `deleting from ${list}`);
    const requestItems = await itemsOf('requests', 'RequestId', requests);
    const declarationItems = (await Promise.all(declarations.map((id) => this.site.query('declarations', { filter: `fields/DeclarationId eq ${lit(id)}` })))).flat();
    const recipientItems = await itemsOf(
      'recipients',
      'RecipientKey',
      mine(plan.campaignRecords).map((r) => recipientKey(r.campaignId, r.userId)),
    );
    await del(decisionItems, 'decisions');
    await del(requestItems, 'requests');
    await del(declarationItems, 'declarations');
    await del(recipientItems, 'recipients');
    const staffItems = (await Promise.all(staff.map((id) => this.site.findOne('staff', `fields/StaffId eq ${lit(id)}`)))).filter((x): x is Item => !!x);
    await this.run(staffItems.map((it) => this.site.updateReq('staff', it.id, { Title: title(ANONYMISED_NAME), FullName: ANONYMISED_NAME, Email: null, Department: null, JobTitle: null, Roles: null })), 'anonymising staff');

    const outcome: RetentionOutcome = {
      checkpointId,
      removed: { declarations: declarationItems.length, campaignRecords: recipientItems.length, requests: requestItems.length, decisions: decisionItems.length },
      anonymised: { staff: staffItems.length },
      redactedEntries: redacted.length,
    };
    // What was removed, in counts only; written open and sealed like every entry.
    await this.site.create('audit', auditFields({ id: `retention-${checkpointId}`, schoolId, entityType: 'staff', entityId: '', actorId: 'countersign', actorName: 'Countersign retention', action: 'retention.applied', at: o.at, before: null, after: JSON.stringify(outcome) }));
    await this.audit.seal();
    return outcome;
  }

  /** Runs independent writes; a 404 on a delete is one a crashed run already made. */
  private async run(reqs: SubRequest[], what: string): Promise<void> {
    if (!reqs.length) return;
    for (const r of await this.site.batch.all(reqs)) if (!(r.status === 404 && reqs[0]!.method === 'DELETE')) expectOk(r, what);
  }
}
