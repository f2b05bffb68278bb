import {
  Badge,
  Body1,
  Button,
  Caption1,
  Link,
  MessageBar,
  MessageBarBody,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { statusLabels } from '../../../src/contract/approvals';
import type { RequestChanged, RequestDetail, RequestSummary, TimelineEntry } from '../../../src/contract/tasks';
import { decisionVerbs, tasksPaths, type DecisionVerbName } from '../../../src/contract/tasks';
import { formatMoment } from '../../../src/domain/display-dates';
import type { RequestStatus } from '../../../src/domain/account-request';
import { api, ApiFailure } from '../api-client';
import type { ThemeName } from '../teams';
import { AdaptiveCardView, type CardAction } from './adaptive-card';
import { Page } from './page';
import { Failed, Loading } from './states';
import { useLoad } from './use-load';

const NARROW = '@media (max-width: 640px)';

const useStyles = makeStyles({
  // Under 640 px each row becomes a stack of labelled lines: nothing scrolls sideways at 320 px.
  table: {
    tableLayout: 'auto',
    minWidth: 0,
    [NARROW]: { '& thead': { display: 'none' }, '& tr': { display: 'block', padding: `${tokens.spacingVerticalS} 0` }, '& td': { display: 'block', height: 'auto', padding: `${tokens.spacingVerticalXXS} 0` } },
  },
  cellLabel: { display: 'none', [NARROW]: { display: 'block' } },
  wrap: { overflowWrap: 'anywhere', minWidth: 0, whiteSpace: 'normal' },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS, minWidth: 0 },
  dl: { display: 'grid', gridTemplateColumns: 'minmax(0, 14rem) minmax(0, 1fr)', gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`, margin: 0, [NARROW]: { gridTemplateColumns: 'minmax(0, 1fr)' } },
  dt: { fontWeight: tokens.fontWeightSemibold, overflowWrap: 'anywhere', minWidth: 0 },
  dd: { margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', minWidth: 0, [NARROW]: { marginBottom: tokens.spacingVerticalS } },
  timeline: { listStyle: 'none', padding: 0, margin: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  entry: { borderLeft: `${tokens.strokeWidthThick} solid ${tokens.colorNeutralStroke1}`, paddingLeft: tokens.spacingHorizontalM, minWidth: 0, overflowWrap: 'anywhere' },
  card: { maxWidth: '480px', minWidth: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

const badgeColor: Record<RequestStatus, 'informative' | 'warning' | 'success' | 'danger' | 'subtle'> = {
  pending: 'informative',
  returned: 'warning',
  approved: 'success',
  rejected: 'danger',
  withdrawn: 'subtle',
};

export function StatusBadge({ status }: { status: RequestStatus }) {
  return (
    <Badge appearance="tint" color={badgeColor[status]}>
      {statusLabels[status]}
    </Badge>
  );
}

/** Requests as a table that collapses into stacked rows on narrow screens; the title opens the request's page. */
export function RequestTable({ items, timeZone, open, caption }: { items: RequestSummary[]; timeZone: string; open(id: string): void; caption: string }) {
  const s = useStyles();
  const cell = (label: string, content: React.ReactNode) => (
    <TableCell className={s.wrap}>
      <Caption1 className={s.cellLabel} aria-hidden>
        {label}
      </Caption1>
      {content}
    </TableCell>
  );
  return (
    <Table className={s.table} aria-label={caption}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Request</TableHeaderCell>
          <TableHeaderCell>Requested by</TableHeaderCell>
          <TableHeaderCell>Status</TableHeaderCell>
          <TableHeaderCell>Where it is</TableHeaderCell>
          <TableHeaderCell>Submitted</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((r) => (
          <TableRow key={r.id}>
            {cell(
              'Request',
              <Link
                href={`#`}
                onClick={(e) => {
                  e.preventDefault();
                  open(r.id);
                }}
              >
                {r.title}
              </Link>,
            )}
            {cell('Requested by', <Text>{r.requesterName}</Text>)}
            {cell('Status', <StatusBadge status={r.status} />)}
            {cell('Where it is', <Text>{r.statusLine}</Text>)}
            {cell('Submitted', <Text>{formatMoment(r.createdAt, timeZone)}</Text>)}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

const kindWords: Record<TimelineEntry['kind'], string> = {
  submitted: 'Submitted',
  resubmitted: 'Resubmitted after changes',
  withdrawn: 'Withdrawn',
  escalated: 'Passed to the deputy',
  approved: 'Approved',
  rejected: 'Rejected',
  returned: 'Returned for changes',
};

export function Timeline({ entries, timeZone }: { entries: TimelineEntry[]; timeZone: string }) {
  const s = useStyles();
  if (!entries.length) return <Body1>Nothing has happened yet.</Body1>;
  return (
    <ol className={s.timeline}>
      {entries.map((e, i) => (
        <li key={i} className={s.entry}>
          <Text weight="semibold" block>
            {`${kindWords[e.kind]} by ${e.actorName}`}
            {e.roleLabel ? ` (${e.roleLabel}, step ${e.step})` : ''}
          </Text>
          <Caption1 block>{`${formatMoment(e.at, timeZone)}${e.round > 1 ? `, round ${e.round}` : ''}`}</Caption1>
          {e.signature !== undefined && <Body1 block>{`Signed “${e.signature}”`}</Body1>}
          {e.comment ? <Body1 block>{`Comment: ${e.comment}`}</Body1> : null}
        </li>
      ))}
    </ol>
  );
}

/**
 * What a button of a request card does in the tab: the same verbs as in chat,
 * sent to the API, which reloads the request and checks who is asking.
 */
export function useRequestCardActions(requestId: string, done?: (answer: RequestChanged) => void) {
  const [card, setCard] = useState<object | undefined>();
  const [outcome, setOutcome] = useState<{ intent: 'success' | 'error' | 'info'; message: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const onAction = async (a: CardAction) => {
    const isDecision = (decisionVerbs as readonly string[]).includes(a.verb);
    if (!isDecision && a.verb !== 'request.withdraw') {
      setOutcome({ intent: 'info', message: a.verb === 'request.edit' ? 'Edit and resubmit the request in the Countersign chat.' : 'Your requests are listed on My tasks.' });
      return;
    }
    setBusy(true);
    setOutcome(undefined);
    try {
      const answer = isDecision
        ? await api.post<RequestChanged>(tasksPaths.decision(requestId), {
            verb: a.verb as DecisionVerbName,
            step: Number(a.data.step),
            round: Number(a.data.round),
            signature: String(a.data.signature ?? ''),
            comment: String(a.data.comment ?? ''),
          })
        : await api.post<RequestChanged>(tasksPaths.withdraw(requestId));
      setCard(answer.card);
      setOutcome({ intent: 'success', message: answer.message });
      done?.(answer);
    } catch (e) {
      setOutcome({ intent: 'error', message: e instanceof ApiFailure || e instanceof Error ? e.message : 'That did not work.' });
    } finally {
      setBusy(false);
    }
  };
  return { card, outcome, busy, onAction };
}

/** A request card that acts, with what happened shown right above it. */
export function ActingCard({ requestId, card, theme, label, done }: { requestId: string; card: object; theme: ThemeName; label: string; done?: (a: RequestChanged) => void }) {
  const s = useStyles();
  const acting = useRequestCardActions(requestId, done);
  return (
    <div className={s.card} aria-busy={acting.busy}>
      {acting.outcome && (
        <MessageBar intent={acting.outcome.intent} role={acting.outcome.intent === 'error' ? 'alert' : 'status'}>
          <MessageBarBody>{acting.outcome.message}</MessageBarBody>
        </MessageBar>
      )}
      <AdaptiveCardView card={acting.card ?? card} theme={theme} onAction={(a) => void acting.onAction(a)} label={label} />
    </div>
  );
}

/** A request's page: where it is, every answer of the form, the timeline of signatures, and its card when there is something to do. */
export function RequestPage({ id, timeZone, theme, back, backLabel }: { id: string; timeZone: string; theme: ThemeName; back(): void; backLabel: string }) {
  const s = useStyles();
  const detail = useLoad<RequestDetail>(tasksPaths.request(id));
  const d = detail.data;
  return (
    <Page
      title={d ? d.request.title : 'Request'}
      actions={
        <Button appearance="secondary" onClick={back}>
          {backLabel}
        </Button>
      }
    >
      {detail.error && <Failed error={detail.error} retry={detail.reload} />}
      {detail.loading && !d && <Loading label="Loading the request…" />}
      {d && (
        <div className={s.stack}>
          <div className={s.row}>
            <StatusBadge status={d.request.status} />
            <Body1 className={s.wrap}>{d.request.statusLine}</Body1>
          </div>
          <Caption1>{`Requested by ${d.request.requesterName}, ${formatMoment(d.request.createdAt, timeZone)}`}</Caption1>
          {(d.allowed.decide || d.allowed.withdraw) && (
            <section className={s.stack} aria-labelledby="request-act">
              <Subtitle2 as="h2" id="request-act">
                {d.allowed.decide ? 'Your decision' : 'What you can do'}
              </Subtitle2>
              <ActingCard requestId={d.request.id} card={d.card} theme={theme} label={`Card for ${d.request.reference}`} done={() => detail.reload()} />
            </section>
          )}
          <section className={s.stack} aria-labelledby="request-timeline">
            <Subtitle2 as="h2" id="request-timeline">
              Timeline
            </Subtitle2>
            <Timeline entries={d.timeline} timeZone={timeZone} />
          </section>
          <section className={s.stack} aria-labelledby="request-answers">
            <Subtitle2 as="h2" id="request-answers">
              Answers
            </Subtitle2>
            {d.answers.map((sec) => (
              <div key={sec.title} className={s.stack}>
                <Text as="h3" weight="semibold">
                  {sec.title}
                </Text>
                <dl className={s.dl}>
                  {sec.items.map((it) => (
                    <div key={it.label} style={{ display: 'contents' }}>
                      <dt className={s.dt}>{it.label}</dt>
                      <dd className={s.dd}>{it.value || '—'}</dd>
                    </div>
                  ))}
                </dl>
              </div>
            ))}
          </section>
        </div>
      )}
    </Page>
  );
}
