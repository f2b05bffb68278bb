import { emptyHead, sealEntry, type ChainHead, type ChainLink, type LinkedRecordKind, type Sha256 } from '../../domain/audit-chain';
import { decisionText, declarationText } from '../../domain/audit-chain';
import type { AuditTrail, StoredRecord } from '../../ports/audit-trail';
import type { AuditEntry } from '../../ports/store';
import { SharePointError } from './errors';
import { json, lit, num, str, type Fields } from './fields';
import { auditFrom, chainFields, decisionFrom, declarationFrom } from './mappers';
import { itemOf, type Item, type SiteClient } from './site';

/**
 * The audit chain on SharePoint. A `$batch` is not a transaction, and many writers append entries (every
 * change's side records, signatures, role changes), so entries are written "open" with their record's hash,
 * and a sealer chains them shortly after:
 *
 *   read the school's head (CS_Meta, with its eTag) → finish a sealing it records, if any
 *   → read the open entries → [PATCH head If-Match: new count and hash, plus the links it is about to write;
 *      then PATCH each entry with its link (dependsOn)] → PATCH head: links written.
 *
 * The head's guarded write is the commit: two sealers at once, one gets 412 and starts again from the new head;
 * a sealer that dies after the commit leaves the links in the head, and whoever reads the head next writes them
 * (the same values: writing them twice is harmless). The open entries are read after the head, so an entry sealed
 * by another sealer meanwhile is either no longer open or the head has moved and the commit fails.
 */

interface PendingLink extends ChainLink {
  itemId: string;
}

interface Head extends ChainHead {
  itemId: string;
  eTag: string;
  sealing: PendingLink[];
}

/** At most this many entries per commit: the head's note column holds their links (about 200 characters each). */
const PER_ROUND = 100;
/** Rounds of 412 before we call it an outage. */
const MAX_ROUNDS = 20;
/** Places per verifier window: a range query on the indexed ChainSeq stays far below the 5,000-item threshold. */
const WINDOW = 1000;

const headKey = (schoolId: string) => `audit-head:${schoolId}`;

export class SharePointAuditTrail implements AuditTrail {
  private timer?: ReturnType<typeof setTimeout>;
  private running: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly site: SiteClient,
    private readonly sha256: Sha256,
    /** How soon after a write the sealer runs: entries written together are sealed together. */
    private readonly delayMs = 1000,
  ) {}

  /** Asks for a sealing soon. Only a hint: the entries are stored open, and the periodic sweep seals them if this process dies. */
  poke(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.seal().catch(() => undefined); // an outage: the next poke or the sweep tries again
    }, this.delayMs);
    this.timer.unref?.();
  }

  /** Seals every open entry; returns how many it sealed. One sealing at a time per process. */
  seal(): Promise<number> {
    const next = this.running.catch(() => 0).then(() => this.sealAll());
    this.running = next;
    return next;
  }

  close(): void {
    clearTimeout(this.timer);
  }

  private async sealAll(): Promise<number> {
    const open = await this.site.query('audit', { filter: `fields/SealState eq 'open'`, select: ['SchoolId'] });
    const schools = [...new Set(open.map((it) => str(it.fields.SchoolId)))];
    let n = 0;
    for (const s of schools) n += await this.sealSchool(s);
    return n;
  }

  private async sealSchool(schoolId: string): Promise<number> {
    let sealed = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let head = await this.readHead(schoolId);
      if (head.sealing.length) {
        const done = await this.finish(head);
        if (!done) continue;
        head = done;
      }
      const open = (await this.site.query('audit', { filter: `fields/SealState eq 'open'` }))
        .filter((it) => str(it.fields.SchoolId) === schoolId)
        .map((it) => ({ itemId: it.id, entry: auditFrom(it.fields) }))
        .sort((a, b) => (a.entry.at < b.entry.at ? -1 : a.entry.at > b.entry.at ? 1 : a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0))
        .slice(0, PER_ROUND);
      if (!open.length) return sealed;
      let next: ChainHead = head;
      const links: PendingLink[] = [];
      for (const { itemId, entry } of open) {
        const record = entry.record ? { kind: entry.record.kind, id: entry.record.id, hash: entry.record.hash ?? '' } : null;
        const s = sealEntry(this.sha256, next, entry, record);
        links.push({ itemId, ...s.link });
        next = s.head;
      }
      const commit = this.site.updateReq('meta', head.itemId, headFields({ ...next, sealing: links }), head.eTag);
      const { responses, stoppedAt } = await this.site.batch.chain([commit, ...links.map((l) => this.site.updateReq('audit', l.itemId, chainFields(l)))]);
      if (stoppedAt === 0) {
        if (responses[0]!.status === 412) continue; // another sealer moved the head: start again from it
        throw new SharePointError(`SharePoint: committing the audit chain head of ${schoolId} failed (${responses[0]!.status})`, responses[0]!.status);
      }
      sealed += links.length;
      if (stoppedAt !== undefined) continue; // some links not written: the next round finishes them from the head
      const eTag = itemOf(responses[0]!).eTag;
      // Clear the links from the head; a 412 means another sealer read it and finishes it instead.
      await this.site.update('meta', head.itemId, headFields({ ...next, sealing: [] }), eTag);
    }
    throw new SharePointError(`SharePoint: the audit chain of ${schoolId} kept moving under us (${MAX_ROUNDS} rounds)`, 412);
  }

  /** Writes the links a head records and clears them; undefined when another sealer got there first (412). */
  private async finish(head: Head): Promise<Head | undefined> {
    const res = await this.site.batch.all(head.sealing.map((l) => this.site.updateReq('audit', l.itemId, chainFields(l))));
    res.forEach((r, i) => {
      // 404: the entry was deleted after the commit; the verifier reports the gap, the sealer carries on.
      if (r.status !== 200 && r.status !== 404) throw new SharePointError(`SharePoint: writing audit link ${head.sealing[i]!.seq} failed (${r.status})`, r.status);
    });
    const r = await this.site.update('meta', head.itemId, headFields({ ...head, sealing: [] }), head.eTag);
    return r === 'conflict' ? undefined : { ...head, eTag: r.eTag, sealing: [] };
  }

  private async readHead(schoolId: string): Promise<Head> {
    const filter = `fields/MetaKey eq ${lit(headKey(schoolId))}`;
    let it = await this.site.findOne('meta', filter);
    if (!it) {
      const empty = emptyHead(schoolId);
      it = (await this.site.create('meta', { Title: `Audit chain head (${schoolId || 'no school'})`, MetaKey: headKey(schoolId), ...headFields({ ...empty, sealing: [] }) })) ?? (await this.site.findOne('meta', filter));
      if (!it) throw new SharePointError(`SharePoint: the audit chain head of ${schoolId} was created but cannot be read`, 409);
    }
    return { ...headFrom(schoolId, it.fields), itemId: it.id, eTag: it.eTag };
  }

  // ----- reading, for the verifier, receipts and exports -----

  async schools(): Promise<string[]> {
    const heads = await this.site.query('meta', { filter: `fields/MetaKey ge 'audit-head:' and fields/MetaKey lt 'audit-head;'`, select: ['MetaKey'] });
    const out = new Set(heads.map((h) => str(h.fields.MetaKey).slice('audit-head:'.length)));
    for await (const it of this.everyEntry(['SchoolId'])) out.add(str(it.fields.SchoolId));
    return [...out].sort();
  }

  async head(schoolId: string): Promise<ChainHead | undefined> {
    const it = await this.site.findOne('meta', `fields/MetaKey eq ${lit(headKey(schoolId))}`);
    if (!it) return undefined;
    const h = headFrom(schoolId, it.fields);
    return { schoolId, count: h.count, hash: h.hash };
  }

  /** Windows of places, each one range query on the indexed ChainSeq; then whatever lies beyond the last window. */
  async *chain(schoolId: string): AsyncIterable<AuditEntry> {
    const head = await this.head(schoolId);
    const sealed = (filter: string) =>
      this.site.query('audit', { filter }).then((items) =>
        items
          .map((it) => auditFrom(it.fields))
          .filter((e) => e.schoolId === schoolId && e.chain)
          .sort((a, b) => a.chain!.seq - b.chain!.seq),
      );
    yield* await sealed('fields/ChainSeq le 0');
    let from = 0;
    for (; from < (head?.count ?? 0); from += WINDOW) yield* await sealed(`fields/ChainSeq gt ${from} and fields/ChainSeq le ${from + WINDOW}`);
    yield* await sealed(`fields/ChainSeq gt ${from}`);
  }

  /** A whole pass over the list (paging, no filter, so no threshold): an entry with no place, however it got there. */
  async *unsealed(schoolId: string): AsyncIterable<AuditEntry> {
    for await (const it of this.everyEntry()) {
      const e = auditFrom(it.fields);
      if (e.schoolId === schoolId && !e.chain) yield e;
    }
  }

  async *records(): AsyncIterable<StoredRecord> {
    const links = new Map<string, { seq: number; recordHash: string }>();
    for await (const it of this.everyEntry()) {
      const e = auditFrom(it.fields);
      if (!e.record || !e.chain) continue;
      const k = `${e.record.kind}:${e.record.id}`;
      const seen = links.get(k);
      if (!seen || seen.seq < e.chain.seq) links.set(k, { seq: e.chain.seq, recordHash: e.record.hash ?? '' });
    }
    for await (const page of this.site.pages('decisions', {})) {
      for (const it of page) {
        const d = decisionFrom(it.fields);
        yield { kind: 'decision', id: d.id, schoolId: d.schoolId, text: decisionText(d), link: links.get(`decision:${d.id}`) ?? null };
      }
    }
    for await (const page of this.site.pages('declarations', {})) {
      for (const it of page) {
        const d = declarationFrom(it.fields);
        yield { kind: 'declaration', id: d.id, schoolId: d.schoolId, text: declarationText(d), link: links.get(`declaration:${d.id}`) ?? null };
      }
    }
  }

  async checkpoint(id: string): Promise<{ data: string; mac: string } | undefined> {
    const it = await this.site.findOne('meta', `fields/MetaKey eq ${lit(`audit-checkpoint:${id}`)}`);
    const v = it && json<{ data?: string; mac?: string }>(it.fields.MetaText, {});
    return v && typeof v.data === 'string' && typeof v.mac === 'string' ? { data: v.data, mac: v.mac } : undefined;
  }

  async entryFor(kind: LinkedRecordKind, id: string): Promise<AuditEntry | undefined> {
    const items = await this.site.query('audit', { filter: `fields/RecordId eq ${lit(id)}` });
    return items
      .map((it) => auditFrom(it.fields))
      .filter((e) => e.record?.kind === kind && e.chain)
      .sort((a, b) => b.chain!.seq - a.chain!.seq)[0];
  }

  /** Every entry, a page at a time (no filter, so no threshold; only the linked records' keys are held, in records()). */
  private async *everyEntry(select?: string[]): AsyncIterable<Item> {
    for await (const page of this.site.pages('audit', select ? { select } : {})) yield* page;
  }
}

function headFields(h: ChainHead & { sealing: PendingLink[] }): Fields {
  return { MetaValue: String(h.count), MetaText: JSON.stringify({ count: h.count, hash: h.hash, sealing: h.sealing }) };
}

function headFrom(schoolId: string, f: Fields): ChainHead & { sealing: PendingLink[] } {
  const v = json<{ count?: number; hash?: string; sealing?: PendingLink[] }>(f.MetaText, {});
  const e = emptyHead(schoolId);
  return { schoolId, count: typeof v.count === 'number' ? v.count : num(f.MetaValue), hash: typeof v.hash === 'string' ? v.hash : e.hash, sealing: Array.isArray(v.sealing) ? v.sealing : [] };
}
