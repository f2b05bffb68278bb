import { z } from 'zod';
import type { CardActionAnswer, InboxPerson, InboxView } from '../../../contract/inboxes';
import type { InboxCard } from '../../../ports/demo-inbox';
import { ApiError } from '../api-error';
import type { ApiDeps } from '../api-deps';
import { route, type ApiRoute } from '../router';

const personId = z.string().trim().min(1, { message: 'choose a demo person' }).max(100);

/**
 * Demo inboxes (embedded mode only; the page rule refuses them elsewhere and
 * the inbox service exists only there): any demo person's cards, and their
 * buttons, pressed as that person through the bot's own verb handlers.
 */
export function inboxesRoutes(d: ApiDeps): ApiRoute[] {
  const inbox = d.inbox;
  if (!inbox) return [];
  const demoPerson = async (id: string) => {
    const person = inbox.keeps(id) ? await d.directory.getStaff(id) : undefined;
    if (!person) throw new ApiError(404, 'INBOX.UNKNOWN_PERSON', 'No one with this id in the demo school. Choose someone from the list.');
    return person;
  };
  const view = (c: InboxCard) => ({ id: c.id, kind: c.kind, card: c.card, keptAt: c.keptAt, updatedAt: c.updatedAt });
  return [
    route({
      method: 'get',
      path: '/inboxes',
      page: 'inboxes',
      async handle(): Promise<InboxPerson[]> {
        const staff = (await d.directory.listStaff()).filter((s) => inbox.keeps(s.id));
        return Promise.all(staff.map(async (s) => ({ id: s.id, name: s.name, jobTitle: s.jobTitle, roles: s.roles, cards: (await inbox.listInbox(s.id)).length })));
      },
    }),
    route({
      method: 'get',
      path: '/inboxes/:personId',
      page: 'inboxes',
      input: z.object({ personId }),
      async handle(_ctx, input: { personId: string }): Promise<InboxView> {
        const person = await demoPerson(input.personId);
        return { person: { id: person.id, name: person.name, jobTitle: person.jobTitle }, cards: (await inbox.listInbox(person.id)).map(view) };
      },
    }),
    route({
      method: 'post',
      path: '/inboxes/:personId/cards/:cardId/action',
      page: 'inboxes',
      input: z.object({
        personId,
        cardId: z.string().regex(/^\d{1,15}$/, { message: 'must be the id of a card in this inbox' }),
        verb: z.string({ message: 'is required: the button’s verb' }).min(1, { message: 'is required: the button’s verb' }).max(100),
        data: z.record(z.string(), z.unknown()).default({}),
      }),
      async handle(_ctx, input: { personId: string; cardId: string; verb: string; data: Record<string, unknown> }): Promise<CardActionAnswer> {
        const person = await demoPerson(input.personId);
        const cards = await inbox.listInbox(person.id);
        if (!cards.some((c) => c.id === input.cardId)) throw new ApiError(404, 'INBOX.UNKNOWN_CARD', 'That card is not in this inbox any more. Reload the inbox.');
        // Card data is untrusted: the handler takes ids from it and reloads the state, as for a button in chat.
        const card = await d.cardAction(person, input.verb, input.data);
        await inbox.replaceCard(input.cardId, card);
        return { card };
      },
    }),
  ];
}
