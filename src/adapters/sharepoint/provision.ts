import type { Client } from '@microsoft/microsoft-graph-client';
import { asSharePointError, ProvisioningError } from './errors';
import { nextLinkPath } from './graph-client';
import { allListDefs, MAX_INDEXED_COLUMNS, type ColumnDef, type ListDef } from './lists';
import { resolveSiteId, siteLists } from './site';

/**
 * Creates the store's lists and columns on a site, and indexes the columns
 * queries use. Idempotent: it reads first, plans, refuses an incompatible site
 * before changing anything, and then makes only the missing changes.
 *
 * Graph calls (learn.microsoft.com/graph/api/…): list-list, list-create (with
 * its columns), columndefinition list (GET …/columns), list-post-columns, and
 * columndefinition-update for `indexed` / `enforceUniqueValues` / choices.
 */

export interface ProvisionOptions {
  client: Client;
  baseUrl: string;
  siteId?: string;
  siteUrl?: string;
  /** One line per list as it goes. */
  log?: (line: string) => void;
  /** The lists to provision; all of the store's by default. */
  lists?: ListDef[];
}

export interface ListOutcome {
  list: string;
  action: 'created' | 'updated' | 'unchanged';
  changes: string[];
}

export interface ProvisionReport {
  siteId: string;
  changed: boolean;
  lists: ListOutcome[];
}

/** A column as Graph describes it (columnDefinition). */
interface GraphColumn {
  id: string;
  name: string;
  displayName?: string;
  indexed?: boolean;
  enforceUniqueValues?: boolean;
  readOnly?: boolean;
  text?: { allowMultipleLines?: boolean };
  choice?: { choices?: string[] };
  dateTime?: Record<string, unknown>;
  number?: Record<string, unknown>;
  boolean?: Record<string, unknown>;
  [facet: string]: unknown;
}

type Step = { kind: 'createList'; def: ListDef } | { kind: 'addColumn'; listId: string; col: ColumnDef } | { kind: 'patchColumn'; listId: string; col: GraphColumn; body: Record<string, unknown>; what: string };

export async function provisionSharePoint(o: ProvisionOptions): Promise<ProvisionReport> {
  const log = o.log ?? (() => {});
  const defs = o.lists ?? allListDefs;
  checkDefinitions(defs);
  const siteId = o.siteId ?? (await resolveSiteId(o.client, o.siteUrl!));
  const existing = await siteLists(o.client, o.baseUrl, siteId);

  // Plan everything first, so an incompatible site is refused before anything changes.
  const plans: Array<{ def: ListDef; steps: Step[] }> = [];
  const problems: string[] = [];
  for (const def of defs) {
    const listId = existing.get(def.name);
    if (!listId) {
      plans.push({ def, steps: [{ kind: 'createList', def }] });
      continue;
    }
    const columns = await listColumns(o.client, o.baseUrl, siteId, listId);
    const steps: Step[] = [];
    for (const col of def.columns) {
      const have = columns.find((c) => c.name === col.name);
      if (!have) {
        const clash = columns.find((c) => c.displayName?.toLowerCase() === col.name.toLowerCase() || c.name.toLowerCase() === col.name.toLowerCase());
        if (clash) problems.push(`${def.name}: column "${col.name}" is missing, and "${clash.displayName ?? clash.name}" (${kindOf(clash)}) is in its way`);
        else steps.push({ kind: 'addColumn', listId, col });
        continue;
      }
      const found = kindOf(have);
      if (!compatible(col, have)) {
        problems.push(`${def.name}: column "${col.name}" is ${found}, Countersign needs ${describe(col.kind)}`);
        continue;
      }
      const wantIndexed = !!(col.indexed || col.unique);
      if (col.unique && !have.enforceUniqueValues) steps.push({ kind: 'patchColumn', listId, col: have, body: { enforceUniqueValues: true, indexed: true }, what: `made ${col.name} unique` });
      else if (wantIndexed && !have.indexed) steps.push({ kind: 'patchColumn', listId, col: have, body: { indexed: true }, what: `indexed ${col.name}` });
      if (col.kind === 'choice') {
        const missing = (col.choices ?? []).filter((c) => !(have.choice?.choices ?? []).includes(c));
        if (missing.length) {
          steps.push({ kind: 'patchColumn', listId, col: have, body: { choice: { ...(have.choice ?? {}), choices: [...(have.choice?.choices ?? []), ...missing] } }, what: `added ${missing.join(', ')} to ${col.name}` });
        }
      }
    }
    plans.push({ def, steps });
  }
  if (problems.length) {
    throw new ProvisioningError(
      `Refusing to provision site ${siteId}: ${problems.length === 1 ? 'a list has a column' : `lists have ${problems.length} columns`} of another type than Countersign needs. Rename or remove those lists (or use another site), then run again.\n  ${problems.join('\n  ')}`,
      problems,
    );
  }

  const outcomes: ListOutcome[] = [];
  for (const { def, steps } of plans) {
    const changes: string[] = [];
    let created = false;
    for (const s of steps) {
      if (s.kind === 'createList') {
        await call(`creating list ${def.name}`, () =>
          o.client.api(`/sites/${siteId}/lists`).post({ displayName: def.name, description: def.description, list: { template: 'genericList' }, columns: def.columns.map(columnBody) }),
        );
        created = true;
        const indexed = def.columns.filter((c) => c.indexed || c.unique).length;
        changes.push(`${def.columns.length} columns, ${indexed} indexed`);
      } else if (s.kind === 'addColumn') {
        await call(`adding column ${s.col.name} to ${def.name}`, () => o.client.api(`/sites/${siteId}/lists/${s.listId}/columns`).post(columnBody(s.col)));
        changes.push(`added ${s.col.name}${s.col.indexed || s.col.unique ? ' (indexed)' : ''}`);
      } else {
        await call(`updating column ${s.col.name} of ${def.name}`, () => o.client.api(`/sites/${siteId}/lists/${s.listId}/columns/${s.col.id}`).patch(s.body));
        changes.push(s.what);
      }
    }
    const action = created ? 'created' : changes.length ? 'updated' : 'unchanged';
    log(`${def.name}: ${action === 'unchanged' ? 'up to date' : `${action} (${changes.join('; ')})`}`);
    outcomes.push({ list: def.name, action, changes });
  }
  const changed = outcomes.some((x) => x.action !== 'unchanged');
  log(changed ? `Done: ${outcomes.filter((x) => x.action !== 'unchanged').length} of ${outcomes.length} lists changed.` : `Nothing to change: all ${outcomes.length} lists and their columns are already in place.`);
  return { siteId, changed, lists: outcomes };
}

/** The columnDefinition we create (resources/columndefinition): one type facet each. */
export function columnBody(c: ColumnDef): Record<string, unknown> {
  const base: Record<string, unknown> = {
    name: c.name,
    displayName: c.displayName,
    indexed: !!(c.indexed || c.unique),
    enforceUniqueValues: !!c.unique,
  };
  const description = c.description ?? (c.machine ? 'Used by Countersign to find items. Do not edit.' : undefined);
  if (description) base.description = description;
  switch (c.kind) {
    case 'text':
      return { ...base, text: { allowMultipleLines: false, maxLength: 255 } };
    case 'note':
      return { ...base, text: { allowMultipleLines: true, textType: 'plain', appendChangesToExistingText: false, linesForEditing: 6 } };
    case 'choice':
      return { ...base, choice: { choices: [...(c.choices ?? [])], displayAs: 'dropDownMenu', allowTextEntry: false } };
    case 'dateTime':
      return { ...base, dateTime: { displayAs: 'default', format: 'dateTime' } };
    case 'date':
      return { ...base, dateTime: { displayAs: 'default', format: 'dateOnly' } };
    case 'number':
      return { ...base, number: { decimalPlaces: 'none' } };
    case 'boolean':
      return { ...base, boolean: {} };
  }
}

async function listColumns(client: Client, baseUrl: string, siteId: string, listId: string): Promise<GraphColumn[]> {
  const out: GraphColumn[] = [];
  let path: string | undefined = `/sites/${siteId}/lists/${listId}/columns`;
  while (path) {
    const page = (await call(`reading the columns of list ${listId}`, () => client.api(path!).get())) as { value: GraphColumn[]; '@odata.nextLink'?: string };
    out.push(...page.value);
    path = page['@odata.nextLink'] ? nextLinkPath(page['@odata.nextLink'], baseUrl) : undefined;
  }
  return out;
}

const FACETS = ['text', 'choice', 'dateTime', 'number', 'boolean', 'currency', 'personOrGroup', 'lookup', 'calculated', 'hyperlinkOrPicture', 'geolocation', 'term', 'thumbnail'];

function kindOf(c: GraphColumn): string {
  if (c.text) return c.text.allowMultipleLines ? 'multiple lines of text' : 'a single line of text';
  const facet = FACETS.find((f) => c[f] !== undefined && c[f] !== null);
  return facet ? describeFacet(facet) : 'of an unknown type';
}

function describeFacet(f: string): string {
  return { choice: 'a choice', dateTime: 'a date and time', number: 'a number', boolean: 'yes/no', currency: 'a currency', personOrGroup: 'a person or group', lookup: 'a lookup' }[f] ?? `a ${f} column`;
}

function describe(k: ColumnDef['kind']): string {
  return { text: 'a single line of text', note: 'multiple lines of text', choice: 'a choice', dateTime: 'a date and time', date: 'a date', number: 'a number', boolean: 'yes/no' }[k];
}

/** Whether an existing column can hold what we write. A multi-line column holds a single line; not the other way. */
function compatible(want: ColumnDef, have: GraphColumn): boolean {
  switch (want.kind) {
    case 'text':
      return !!have.text;
    case 'note':
      return !!have.text?.allowMultipleLines;
    case 'choice':
      return !!have.choice;
    case 'dateTime':
    case 'date':
      return !!have.dateTime;
    case 'number':
      return !!have.number;
    case 'boolean':
      return !!have.boolean;
  }
}

/** Our own definitions must fit SharePoint's limits; a mistake here is a bug, caught by the tests. */
export function checkDefinitions(defs: ListDef[]): void {
  for (const d of defs) {
    const indexed = d.columns.filter((c) => c.indexed || c.unique).length;
    if (indexed > MAX_INDEXED_COLUMNS) throw new Error(`${d.name} indexes ${indexed} columns; SharePoint allows ${MAX_INDEXED_COLUMNS}`);
    const names = new Set<string>(['title', 'id', 'created', 'modified', 'author', 'editor']);
    for (const c of d.columns) {
      for (const n of new Set([c.name.toLowerCase(), c.displayName.toLowerCase()])) {
        if (names.has(n)) throw new Error(`${d.name}: column name or display name "${n}" is used twice`);
        names.add(n);
      }
    }
  }
}

async function call<T>(doing: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw asSharePointError(e, doing);
  }
}
