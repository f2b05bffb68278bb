import { randomUUID } from 'node:crypto';
import type { RecipientCount } from '../../domain/campaign';
import type { RecipientState } from '../../domain/recipient.workflow';
import { SharePointError } from './errors';
import { keyOf, line, lit, num, str, title } from './fields';
import { itemOf, type Item, type SiteClient } from './site';

/**
 * Per-campaign recipient counters, one item per state × department in
 * CS_CampaignCounts, so progress is one query whatever the campaign's size.
 *
 * Every change is a read-modify-write guarded by If-Match: a 412 means another
 * instance moved the counter first, so we re-read and apply our delta again.
 * Deltas arriving while a write is in flight are merged into the next one, so
 * a burst of N sends costs far fewer than N counter writes.
 */

export interface CountDelta {
  state: RecipientState;
  department: string;
  delta: number;
}

interface Cached {
  itemId: string;
  eTag: string;
  count: number;
  writeId: string;
}

interface Pending {
  deltas: Map<string, CountDelta>;
  waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }>;
}

const counterKey = (campaignId: string, state: string, department: string) => keyOf(campaignId, state, department);

/** Rounds of re-read and retry after 412s before we call it an outage. */
const MAX_ROUNDS = 25;

export class CampaignCounters {
  private readonly cache = new Map<string, Map<string, Cached>>();
  private readonly pending = new Map<string, Pending>();
  private readonly flushing = new Map<string, Promise<void>>();

  constructor(private readonly site: SiteClient) {}

  /** Counts by state and department, leaving out zeros (as GROUP BY would). One query, paged only by the number of departments. */
  async read(campaignId: string): Promise<RecipientCount[]> {
    const items = await this.refresh(campaignId);
    return items
      .map((it) => ({ state: str(it.fields.State) as RecipientState, department: str(it.fields.Department), count: num(it.fields.RecipientCount) }))
      .filter((c) => c.count > 0);
  }

  /** Applies deltas; resolves once they are stored. Zero deltas cost nothing. */
  apply(campaignId: string, deltas: CountDelta[]): Promise<void> {
    const real = deltas.filter((d) => d.delta !== 0);
    if (!real.length) return Promise.resolve();
    let p = this.pending.get(campaignId);
    if (!p) this.pending.set(campaignId, (p = { deltas: new Map(), waiters: [] }));
    for (const d of real) {
      const k = counterKey(campaignId, d.state, d.department);
      const cur = p.deltas.get(k);
      p.deltas.set(k, { ...d, delta: (cur?.delta ?? 0) + d.delta });
    }
    const done = new Promise<void>((resolve, reject) => p!.waiters.push({ resolve, reject }));
    if (!this.flushing.has(campaignId)) this.flushing.set(campaignId, this.drain(campaignId));
    return done;
  }

  /** Writes pending deltas until none are left. Clears its own flag in the same turn as it finds nothing, so no delta is stranded. */
  private async drain(campaignId: string): Promise<void> {
    for (;;) {
      const p = this.pending.get(campaignId);
      if (!p) {
        this.flushing.delete(campaignId);
        return;
      }
      this.pending.delete(campaignId);
      try {
        await this.write(campaignId, [...p.deltas.entries()].filter(([, d]) => d.delta !== 0));
        for (const w of p.waiters) w.resolve();
      } catch (e) {
        for (const w of p.waiters) w.reject(e);
      }
    }
  }

  private async write(campaignId: string, todo: Array<[string, CountDelta]>): Promise<void> {
    let left = todo.map(([k, d]) => ({ k, d, writeId: '' }));
    // The cache is a whole snapshot of the campaign's counters: a key missing from it is a counter to create.
    let stale = !this.cache.has(campaignId);
    for (let round = 0; left.length; round++) {
      if (round >= MAX_ROUNDS) throw new SharePointError(`SharePoint: campaign ${campaignId} counters kept changing under us (${MAX_ROUNDS} rounds of 412)`, 412);
      if (stale) {
        await this.refresh(campaignId);
        stale = false;
        const fresh = this.cache.get(campaignId)!;
        // A 412 or 409 met by a retry of our own write that did land: the counter carries our WriteId, so it is done.
        left = left.filter(({ k, writeId }) => !writeId || fresh.get(k)?.writeId !== writeId);
        if (!left.length) return;
      }
      const known = this.cache.get(campaignId)!;
      for (const x of left) x.writeId = randomUUID();
      const reqs = left.map(({ k, d, writeId }) => {
        const c = known.get(k);
        return c
          ? this.site.updateReq('counts', c.itemId, { RecipientCount: c.count + d.delta, WriteId: writeId }, c.eTag)
          : this.site.createReq('counts', {
              Title: title(`${d.state} · ${d.department || '(no department)'}`),
              CounterKey: k,
              CampaignId: campaignId,
              State: d.state,
              Department: line(d.department, 'department'),
              RecipientCount: d.delta,
              WriteId: writeId,
            });
      });
      // Counter writes of concurrent sends share envelopes with the sends' other writes.
      const res = await this.site.together(reqs);
      const again: typeof left = [];
      res.forEach((r, i) => {
        const x = left[i]!;
        if (r.status === 200 || r.status === 201) {
          const it = itemOf(r);
          const prev = known.get(x.k);
          known.set(x.k, { itemId: prev?.itemId ?? it.id, eTag: it.eTag, count: r.status === 201 ? x.d.delta : prev!.count + x.d.delta, writeId: x.writeId });
        } else if (r.status === 412 || r.status === 409) {
          // Someone else moved (412) or created (409) this counter first: re-read, then try again.
          stale = true;
          again.push(x);
        } else {
          throw new SharePointError(`SharePoint: updating counter ${x.k} failed (${r.status})`, r.status);
        }
      });
      left = again;
    }
  }

  private async refresh(campaignId: string): Promise<Item[]> {
    const items = await this.site.query('counts', { filter: `fields/CampaignId eq ${lit(campaignId)}` });
    const map = new Map<string, Cached>();
    for (const it of items) map.set(str(it.fields.CounterKey), { itemId: it.id, eTag: it.eTag, count: num(it.fields.RecipientCount), writeId: str(it.fields.WriteId) });
    this.cache.set(campaignId, map);
    return items;
  }
}
