import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoStaff } from '../../src/adapters/demo-school';
import { formatMoment } from '../../src/domain/display-dates';
import { validForm } from '../support/forms';
import { Harness, ManualClock, people } from '../support/harness';
import { actionsOf, allText, cardProblems, inputValues, verbsOf } from '../support/validate-card';

/**
 * The request, status and declaration cards as the people in DESIGN.md meet them,
 * through /api/messages. The school's zone is set far from the server's, so a
 * moment printed in any other zone shows.
 */
const TIME_ZONE = 'Pacific/Auckland';
const { requester, ictLeader } = people;
const chloe = demoStaff.find((s) => s.name.startsWith('Chloe'))!;
const DAY = 86_400_000;
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);

const clock = new ManualClock(Date.now() - 3 * DAY);
const h = new Harness({ clock, env: { SCHOOL_TIMEZONE: TIME_ZONE } });
const answered: any[] = [];
beforeAll(() => h.start());
afterAll(async () => {
  const problems = [...h.connector.allCards(), ...answered].flatMap((c) => cardProblems(c));
  await h.stop();
  expect(problems).toEqual([]);
});

async function invoke(who: { id: string; name: string }, verb: string, data: Record<string, unknown>) {
  const res = await h.invoke(who, verb, data);
  expect(res.status).toBe(200);
  answered.push(res.card);
  return res.card;
}

/** Elements of a card's body in reading order, skipping anything hidden (isVisible: false) and what it holds. */
function visibleInOrder(card: any): any[] {
  const out: any[] = [];
  const walk = (n: any) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    if (n.isVisible === false) return;
    if (typeof n.type === 'string') out.push(n);
    for (const k of ['items', 'inlines', 'columns', 'actions']) if (n[k]) walk(n[k]);
  };
  walk(card.body);
  return out;
}
const textOf = (n: any) => (n.type === 'RichTextBlock' ? n.inlines.map((i: any) => i.text).join('') : (n.text ?? '')).replace(/\u200B/g, '');

/** The input with this id anywhere in the card. */
function inputById(card: any, id: string): any {
  let found: any;
  const walk = (n: any) => {
    if (!n || typeof n !== 'object' || found) return;
    if (Array.isArray(n)) return n.forEach(walk);
    if (n.id === id && String(n.type).startsWith('Input.')) found = n;
    Object.values(n).forEach(walk);
  };
  walk(card.body);
  return found;
}

/** The error shown right after an input (its next sibling), or '' when none is. */
function errorAfter(card: any, id: string): string {
  let found: string | undefined;
  const walk = (n: any) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      const i = n.findIndex((x) => x?.id === id);
      // A field error starts with "Please fix: " (in words, not red: see fieldError in src/cards/ac.ts).
      const next = n[i + 1] ? textOf(n[i + 1]) : '';
      if (i >= 0) found = next.startsWith('Please fix: ') ? next.slice('Please fix: '.length) : '';
      return n.forEach(walk);
    }
    Object.values(n).forEach(walk);
  };
  walk(card.body);
  expect(found, `input ${id}`).toBeDefined();
  return found!;
}

let requestId = '';
let approverCard: any;

describe('a request submitted three days ago', () => {
  test('the requester’s card: a success banner that is not red, the reference unbroken, and no decision controls', async () => {
    const card = await invoke(requester, 'request.submit', validForm());
    requestId = actionsOf(card).find((a) => a.verb === 'request.withdraw').data.requestId;
    // A tick and the Default colour: Teams' green text is too faint on white, and red would read as an error.
    const banner = visibleInOrder(card).find((n) => /^✓ Submitted/.test(textOf(n)));
    expect(banner.inlines[0].color ?? 'Default').toBe('Default');
    expect(verbsOf(card).filter((v) => v.startsWith('approval.'))).toEqual([]);
    expect(inputValues(card)).toEqual({});
    // The reference is stored and shown as typed, with no invisible character to break copying or searching;
    // it starts its own line, and tests/e2e/cards-330.test.ts checks that it never wraps inside itself at 330 px.
    expect(allText(card)).toMatch(/^CS-\d{4}: /m);
    expect(JSON.stringify(card)).not.toMatch(/\u2060/);
    await h.idle();
  });

  test('the approver’s card leads with a summary and the checks, keeps every answer behind “Show all answers”, and puts the decision before them', async () => {
    approverCard = h.connector.cardsFor(ictLeader.id).filter((c) => actionsOf(c).some((a) => a.verb === 'approval.approve' && a.data.requestId === requestId)).at(-1);
    expect(approverCard).toBeTruthy();
    const visible = visibleInOrder(approverCard).map(textOf).filter(Boolean);
    const at = (re: RegExp) => visible.findIndex((t) => re.test(t));
    // What account, for whom, how open, pupils, dates: before anything else.
    for (const re of [/^Account: Instagram, hosted by Meta Platforms/, /^For: Key Stage 2, asked by Ben Carter/, /^Open or private: Private/, /^Pupils: Contributing/, /^Go live: \d{1,2} [A-Z][a-z]+ \d{4}$/, /^Closure: /]) {
      expect(at(re), String(re)).toBeGreaterThan(-1);
    }
    // Pupils contribute, so the parental consent answer is among the checks, in view.
    expect(at(/Check before you decide/)).toBeGreaterThan(at(/^Closure: /));
    expect(at(/How parents consent: Consent form sent home/)).toBeGreaterThan(at(/Check before you decide/));
    // The rest of the answers are hidden until asked for, with a real toggle that targets them.
    expect(visible.join('\n')).not.toContain(validForm().aims);
    const toggle = actionsOf(approverCard).find((a) => a.type === 'Action.ToggleVisibility');
    expect(toggle.title).toBe('Show all answers');
    const hidden = (approverCard.body as any[]).find((n) => n.id === toggle.targetElements[0]);
    expect(hidden.isVisible).toBe(false);
    expect(allText(hidden)).toContain(validForm().aims);
    expect(allText(hidden)).toMatch(/Business case/);
    // The signature box and the decisions follow the summary without any answer shown in between.
    const signatureAt = visibleInOrder(approverCard).findIndex((n) => n.id === 'signature');
    const approveAt = visibleInOrder(approverCard).findIndex((n) => n.type === 'Action.Execute' && n.verb === 'approval.approve');
    expect(signatureAt).toBeGreaterThan(-1);
    expect(approveAt).toBeGreaterThan(signatureAt);
    // Nothing for the requester on the approver's card.
    expect(verbsOf(approverCard)).toEqual(['approval.approve', 'approval.return', 'approval.reject']);
  });

  test('a step not yet reached reads “not yet”', () => {
    expect(allText(approverCard)).toMatch(/Head teacher: Priya Raman, not yet\./);
    expect(allText(approverCard)).not.toMatch(/—/);
  });

  test('three days on, the approver’s status says who asked, how long it has waited, and that it waits for them', async () => {
    clock.advance(3 * DAY);
    const [status] = await h.say(ictLeader, 'status');
    const text = allText(status);
    expect(text).toMatch(/Asked by Ben Carter on \d{1,2} [A-Z][a-z]+ \d{4}\./);
    expect(text).toMatch(/Waiting for you \(Computing\/ICT subject leader\), step 1 of 2\. Waiting 3 days\./);
    // What waits for the approver comes first, before declarations to sign and their own requests.
    const sections = visibleInOrder(status).map(textOf).filter((t) => /^(Waiting for your decision|Declarations to sign|Asked by you|You have not asked)/.test(t));
    expect(sections[0]).toMatch(/^Waiting for your decision \(1\)/);
    const [mine] = await h.say(requester, 'status');
    expect(allText(mine)).toMatch(/Asked by you on/);
    expect(allText(mine)).toMatch(/Waiting for Gareth Lloyd .* Waiting 3 days\./);
  });

  test('returned: the reason shows once, near the top; later steps read “not yet”; status shows the reason too; moments are in the school’s zone', async () => {
    const data = actionsOf(approverCard).find((a) => a.verb === 'approval.return').data;
    const reason = 'Say how and when the account will be closed.';
    await invoke(ictLeader, 'approval.return', { ...data, signature: 'Gareth Lloyd', comment: reason });
    await h.idle();
    const card = await invoke(requester, 'request.view', { requestId });
    const text = allText(card);
    expect(text.split(reason).length - 1).toBe(1);
    const visible = visibleInOrder(card).map(textOf);
    expect(visible.findIndex((t) => t.includes(reason))).toBeLessThan(visible.findIndex((t) => /^Account: /.test(t)));
    expect(text).toMatch(/Head teacher: Priya Raman, not yet\./);
    expect(text).not.toMatch(/—/);
    const [decision] = await h.app.store.listDecisions(requestId);
    expect(text).toContain(`Returned for changes by Gareth Lloyd at ${formatMoment(decision.at, TIME_ZONE)}.`);
    expect(text).toMatch(/at \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}\./);
    expect(verbsOf(card)).toEqual(expect.arrayContaining(['request.edit', 'request.withdraw']));

    const [status] = await h.say(requester, 'status');
    expect(allText(status)).toMatch(/Reason:\s+Say how and when the account will be closed\./);
  });
});

describe('the request form', () => {
  test('starts from the requester’s department, asks for moderators once, and its client-side messages say the server’s rules', async () => {
    const [form] = await h.say(chloe, 'request');
    expect(inputValues(form).department).toBe(chloe.department);
    expect(inputById(form, 'siteModerator')).toBeUndefined();
    expect(inputById(form, 'moderators').isMultiSelect).toBe(true);
    expect(inputById(form, 'goLive').errorMessage).toBe('Choose a go-live date. Go-live must be today or later.');
    expect(inputById(form, 'closure').errorMessage).toMatch(/^Closure must be after go-live/);
    expect(inputById(form, 'administrators').errorMessage).toBe('Administrators: choose at least two people.');
    expect(inputById(form, 'moderators').errorMessage).toBe('Moderators: choose at least two people.');
    expect(inputById(form, 'visibility').errorMessage).toBe('Open or private: choose one.');
    // Every input the client checks has its own message, so pressing Submit never does nothing.
    const walk = (n: any): any[] => (!n || typeof n !== 'object' ? [] : Array.isArray(n) ? n.flatMap(walk) : [n, ...Object.values(n).flatMap(walk)]);
    const checked = walk(form.body).filter((n) => String(n.type).startsWith('Input.') && (n.isRequired || n.min));
    expect(checked.filter((n) => !n.errorMessage).map((n) => n.id)).toEqual([]);
  });

  test('a request with no separate site moderator is stored with its moderators as the site moderator', async () => {
    const { siteModerator: _omitted, ...form } = validForm();
    const card = await invoke(chloe, 'request.submit', form);
    const id = actionsOf(card).find((a) => a.verb === 'request.withdraw').data.requestId;
    const r = (await h.app.store.getRequest(id))!.value;
    expect(r.details.siteModerator).toBe(r.details.moderators.map((p) => p.name).join(', '));
    await h.idle();
  });

  test('a go-live date in the past says so beside the field', async () => {
    const card = await invoke(chloe, 'request.submit', validForm({ goLive: isoDay(-10), closure: '' }));
    expect(errorAfter(card, 'goLive')).toMatch(/^Go-live must be today or later\. .* has passed\.$/);
  });

  test('a closure before go-live says so beside the field', async () => {
    const card = await invoke(chloe, 'request.submit', validForm({ goLive: isoDay(30), closure: isoDay(20) }));
    expect(errorAfter(card, 'closure')).toMatch(/is not after go-live .* Closure must be after go-live/);
    expect(errorAfter(card, 'goLive')).toBe('');
  });

  test('a refused form says at its foot, beside Submit, which fields to fix (the new card opens where Submit was pressed)', async () => {
    const card = await invoke(chloe, 'request.submit', validForm({ goLive: isoDay(30), closure: isoDay(20), aims: '' }));
    const visible = visibleInOrder(card).map(textOf).filter(Boolean);
    expect(visible.at(-1)).toMatch(/^Not sent yet\. Please fix: .*Aims.*Closure date.* \(marked above\)/);
    expect(card.actions.map((a: any) => a.verb)).toEqual(['request.submit']);
  });

  test('a password typed in chat is refused beside its field, the form comes back with every answer kept, and nothing is stored', async () => {
    const before = (await h.app.store.listRequestsByRequester(chloe.id)).length;
    const form = validForm({ security: 'Two-factor sign-in. pwd=letmein', host: 'P@ssw0rd1' });
    const card = await invoke(chloe, 'request.submit', form);
    expect(errorAfter(card, 'security')).toBe("Security measures: Do not type a password here: record only where the login is held, for example 'network manager'.");
    expect(errorAfter(card, 'host')).toMatch(/^Who will host the site: Do not type a password here/);
    expect(inputValues(card)).toMatchObject({ security: form.security, host: form.host, aims: form.aims });
    expect((await h.app.store.listRequestsByRequester(chloe.id)).length).toBe(before);
  });

  test('a closure in the past says so beside the field, even when it falls after a (past) go-live', async () => {
    const card = await invoke(chloe, 'request.submit', validForm({ goLive: isoDay(-10), closure: isoDay(-5) }));
    expect(errorAfter(card, 'goLive')).toMatch(/Go-live must be today or later/);
    expect(errorAfter(card, 'closure')).toMatch(/is not in the future\. Closure must be after go-live/);
  });
});

describe('the declaration', () => {
  const v2026 = demoPolicyVersions[1].id;

  test('“Read the full policy” comes before the confirmation, and the notice is in readable colours', async () => {
    const [card] = await h.say(chloe, 'sign');
    const order = visibleInOrder(card);
    const read = order.findIndex((n) => n.type === 'Action.OpenUrl' && n.title === 'Read the full policy');
    const confirm = order.findIndex((n) => n.id === 'confirm');
    expect(read).toBeGreaterThan(-1);
    expect(read).toBeLessThan(confirm);
    const notice = order.find((n) => /open and read the full document/.test(textOf(n)));
    expect([notice.color ?? 'Default', notice.isSubtle ?? false]).toEqual(['Default', false]);
    const lowContrast = order.filter((n) => ['Warning', 'Accent'].includes(n.color) || n.isSubtle || n.inlines?.some((i: any) => i.isSubtle || ['Warning', 'Accent'].includes(i.color)));
    expect(lowContrast.map(textOf)).toEqual([]);
  });

  test('after signing, the statements stay on the card and the full policy is still a click away', async () => {
    const [card] = await h.say(chloe, 'sign');
    const link = actionsOf(card).find((a) => a.type === 'Action.OpenUrl' && a.title === 'Read the full policy').url as string;
    const url = new URL(link);
    await fetch(`${h.baseUrl}${url.pathname}${url.search}`, { redirect: 'manual' });
    const signed = await invoke(chloe, 'declaration.sign', { versionId: v2026, confirm: 'true', typedName: 'Chloe Marsh' });
    const text = allText(signed);
    expect(text).toMatch(/Signed by Chloe Marsh on \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} \(version 2026-27\)/);
    const statements = demoPolicyVersions[1].content.statements;
    for (const s of statements) expect(text).toContain(s);
    expect(actionsOf(signed).some((a) => a.type === 'Action.OpenUrl' && a.title === 'Read the full policy')).toBe(true);
    expect(verbsOf(signed)).not.toContain('declaration.sign');
  });
});
