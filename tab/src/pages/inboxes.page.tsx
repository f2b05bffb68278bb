import { Badge, Body1, Caption1, Field, MessageBar, MessageBarBody, Select, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { CardActionAnswer, InboxPerson, InboxView } from '../../../src/contract/inboxes';
import { formatMoment } from '../../../src/domain/display-dates';
import { roleLabels } from '../../../src/domain/people';
import { api, ApiFailure } from '../api-client';
import { AdaptiveCardView, type CardAction } from '../components/adaptive-card';
import { Page } from '../components/page';
import { Empty, Failed, Loading } from '../components/states';
import { useLoad } from '../components/use-load';
import type { PageProps } from './page-props';

const useStyles = makeStyles({
  cards: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '480px', minWidth: 0 },
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, minWidth: 0 },
  meta: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  picker: { maxWidth: '420px', minWidth: 0 },
  select: { width: '100%', minWidth: 0, textOverflow: 'ellipsis' },
});

const kindLabels: Record<string, string> = {
  approval: 'Approval to decide',
  status: 'Request update',
  account: 'Account approved',
  declaration: 'Declaration to sign',
  'declaration-reminder': 'Reminder to sign',
};

/**
 * The embedded demo's inboxes: every card sent to a demo person, drawn as
 * Teams draws it, with buttons that act as that person. This is how a
 * newcomer sees the head teacher's side without the Playground.
 */
export default function InboxesPage({ me, path, theme, navigate }: PageProps) {
  const s = useStyles();
  const people = useLoad<InboxPerson[]>('/api/inboxes', { pollMs: 5000 });
  const personId = path[0] ?? people.data?.find((p) => p.cards > 0)?.id ?? people.data?.[0]?.id;
  const inbox = useLoad<InboxView>(personId ? `/api/inboxes/${encodeURIComponent(personId)}` : undefined, { pollMs: 5000 });
  const [replaced, setReplaced] = useState<Record<string, object>>({});
  const [outcome, setOutcome] = useState<{ cardId: string; error?: ApiFailure } | undefined>();
  useEffect(() => setReplaced({}), [personId]);

  const act = (cardId: string) => async (a: CardAction) => {
    setOutcome(undefined);
    try {
      const answer = await api.post<CardActionAnswer>(`/api/inboxes/${encodeURIComponent(personId!)}/cards/${cardId}/action`, { verb: a.verb, data: a.data });
      setReplaced((r) => ({ ...r, [cardId]: answer.card }));
      setOutcome({ cardId });
      inbox.reload();
      people.reload();
    } catch (e) {
      setOutcome({ cardId, error: e as ApiFailure });
    }
  };

  const owner = people.data?.find((p) => p.id === personId);
  return (
    <Page title="Demo inboxes">
      <Body1>Every card Countersign has sent to each person of the demo school. Buttons act as the person whose inbox you are looking at.</Body1>
      {people.error && !people.data && <Failed error={people.error} retry={people.reload} />}
      {!people.data && !people.error && <Loading label="Loading the demo school…" />}
      {people.data && (
        <Field label="Whose inbox" className={s.picker}>
          <Select value={personId} select={{ className: s.select }} onChange={(_, d) => navigate(`inboxes/${d.value}`)}>
            {people.data.map((p) => (
              <option key={p.id} value={p.id}>
                {`${p.name}, ${p.roles.length ? p.roles.map((r) => roleLabels[r]).join(', ') : p.jobTitle} (${p.cards} ${p.cards === 1 ? 'card' : 'cards'})`}
              </option>
            ))}
          </Select>
        </Field>
      )}
      {owner && (
        <Subtitle2 as="h2">
          {owner.name === me.person.name ? 'Your inbox' : `${owner.name}’s inbox`}
        </Subtitle2>
      )}
      {inbox.error && !inbox.data && <Failed error={inbox.error} retry={inbox.reload} />}
      {personId && !inbox.data && !inbox.error && <Loading label="Loading the cards…" />}
      {inbox.data && inbox.data.cards.length === 0 && (
        <Empty title="No cards yet.">Cards appear here when Countersign sends this person something: a request to approve, an update on their own request, or a declaration to sign.</Empty>
      )}
      {inbox.data && inbox.data.cards.length > 0 && (
        <div className={s.cards}>
          {inbox.data.cards.map((c) => (
            <article key={c.id} className={s.card} aria-label={`${kindLabels[c.kind] ?? 'Card'}, ${formatMoment(c.keptAt, me.school.timeZone)}`}>
              <div className={s.meta}>
                <Badge appearance="tint">{kindLabels[c.kind] ?? c.kind}</Badge>
                <Caption1>{formatMoment(c.updatedAt, me.school.timeZone)}</Caption1>
              </div>
              <AdaptiveCardView card={replaced[c.id] ?? c.card} theme={theme} onAction={act(c.id)} label={kindLabels[c.kind] ?? 'Card'} />
              {outcome?.cardId === c.id && outcome.error && (
                <MessageBar intent="error" role="alert">
                  <MessageBarBody>{outcome.error.message}</MessageBarBody>
                </MessageBar>
              )}
            </article>
          ))}
        </div>
      )}
    </Page>
  );
}
