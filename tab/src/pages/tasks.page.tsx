import { Body1, Button, Caption1, MessageBar, MessageBarBody, Subtitle2, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { RegisterAccount, RegisterList } from '../../../src/contract/register';
import type { ApprovalWaiting, DeclarationDetail, SignAnswer, SignedDeclaration, TasksResponse } from '../../../src/contract/tasks';
import { tasksPaths } from '../../../src/contract/tasks';
import { formatDay, formatMoment } from '../../../src/domain/display-dates';
import { api, ApiFailure } from '../api-client';
import { AdaptiveCardView, type CardAction } from '../components/adaptive-card';
import { ConfirmDialog } from '../components/confirm-go-live';
import { Page } from '../components/page';
import { ReceiptDialog } from '../components/receipt-dialog';
import { ActingCard, RequestPage, RequestTable } from '../components/request-views';
import { Empty, Failed, Loading } from '../components/states';
import { useLoad } from '../components/use-load';
import type { PageProps } from './page-props';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  list: { listStyle: 'none', padding: 0, margin: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  item: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalM,
    padding: tokens.spacingVerticalS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    minWidth: 0,
  },
  grow: { minWidth: 0, flex: '1 1 12rem', overflowWrap: 'anywhere' },
  cards: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, minWidth: 0 },
  card: { maxWidth: '480px', minWidth: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

/**
 * My tasks: declarations I still have to sign, my requests and where each one
 * is, and the approvals waiting for me as the cards the bot sends. Addresses:
 * #/tasks, #/tasks/request/<id>, #/tasks/declaration/<versionId>.
 */
export default function TasksPage({ me, path, theme, navigate }: PageProps) {
  if (path[0] === 'request' && path[1]) {
    return <RequestPage id={path[1]} timeZone={me.school.timeZone} theme={theme} back={() => navigate('tasks')} backLabel="Back to My tasks" />;
  }
  if (path[0] === 'declaration' && path[1]) return <DeclarationPage versionId={path[1]} {...{ me, path, theme, navigate }} />;
  return <Overview {...{ me, path, theme, navigate }} />;
}

function Overview({ me, theme, navigate }: PageProps) {
  const s = useStyles();
  const tasks = useLoad<TasksResponse>(tasksPaths.tasks, { pollMs: 30_000 });
  const t = tasks.data;
  // Approvals decided here stay on the page, showing the outcome and the refreshed card, as a chat keeps the card.
  const [kept, setKept] = useState<ApprovalWaiting[]>([]);
  const approvals = t ? [...t.approvals, ...kept.filter((k) => !t.approvals.some((a) => a.request.id === k.request.id))].sort((a, b) => a.request.createdAt.localeCompare(b.request.createdAt)) : [];
  return (
    <Page title="My tasks">
      {tasks.error && <Failed error={tasks.error} retry={tasks.reload} />}
      {tasks.loading && !t && <Loading label="Loading your tasks…" />}
      {t && (
        <>
          <section className={s.section} aria-labelledby="tasks-approvals">
            <Subtitle2 as="h2" id="tasks-approvals">
              Approvals waiting for you
            </Subtitle2>
            {approvals.length === 0 ? (
              <Empty title="No approvals waiting for you." />
            ) : (
              <div className={s.cards}>
                {approvals.map((a) => (
                  <ActingCard
                    key={a.request.id}
                    requestId={a.request.id}
                    card={a.card}
                    theme={theme}
                    label={`Approval for ${a.request.reference}`}
                    done={() => setKept((k) => [...k.filter((x) => x.request.id !== a.request.id), a])}
                  />
                ))}
              </div>
            )}
          </section>

          <section className={s.section} aria-labelledby="tasks-declarations">
            <Subtitle2 as="h2" id="tasks-declarations">
              Declarations to sign
            </Subtitle2>
            {t.declarations.length === 0 ? (
              <Empty title="You have signed every current policy." />
            ) : (
              <ul className={s.list}>
                {t.declarations.map((d) => (
                  <li key={d.versionId} className={s.item}>
                    <div className={s.grow}>
                      <Text weight="semibold" block>
                        {d.title}
                      </Text>
                      <Caption1>{`Version ${d.versionLabel}, effective ${formatDay(d.effectiveDate)}`}</Caption1>
                    </div>
                    <Button appearance="primary" onClick={() => navigate(`tasks/declaration/${encodeURIComponent(d.versionId)}`)} aria-label={`Read and sign ${d.title}, version ${d.versionLabel}`}>
                      Read and sign
                    </Button>
                  </li>
                ))}
              </ul>
            )}
          </section>

          <SignedList signed={t.signed} timeZone={me.school.timeZone} />

          <AccountsToConfirm />

          <section className={s.section} aria-labelledby="tasks-requests">
            <Subtitle2 as="h2" id="tasks-requests">
              Your requests
            </Subtitle2>
            {t.requests.length === 0 ? (
              <Empty title="You have not asked for an account yet.">To ask for a school social media account, type “request” in the Countersign chat.</Empty>
            ) : (
              <RequestTable items={t.requests} timeZone={me.school.timeZone} open={(id) => navigate(`tasks/request/${encodeURIComponent(id)}`)} caption="Your requests" />
            )}
          </section>
        </>
      )}
    </Page>
  );
}

/** What I have signed, each with its receipt (who, the typed name, when, the version, the hashes, the chain position). */
function SignedList({ signed, timeZone }: { signed: SignedDeclaration[]; timeZone: string }) {
  const s = useStyles();
  const [open, setOpen] = useState<SignedDeclaration | undefined>();
  return (
    <section className={s.section} aria-labelledby="tasks-signed">
      <Subtitle2 as="h2" id="tasks-signed">
        Declarations you have signed
      </Subtitle2>
      {signed.length === 0 ? (
        <Empty title="You have not signed a declaration yet." />
      ) : (
        <ul className={s.list}>
          {signed.map((d) => (
            <li key={d.versionId} className={s.item}>
              <div className={s.grow}>
                <Text weight="semibold" block>
                  {d.title}
                </Text>
                <Caption1>{`Version ${d.versionLabel}, signed ${formatMoment(d.signedAt, timeZone)}`}</Caption1>
              </div>
              <Button onClick={() => setOpen(d)} aria-label={`Receipt for ${d.title}, version ${d.versionLabel}`}>
                Receipt
              </Button>
            </li>
          ))}
        </ul>
      )}
      {open && <ReceiptDialog versionId={open.versionId} title={`Receipt: ${open.title}, version ${open.versionLabel}`} onClose={() => setOpen(undefined)} />}
    </section>
  );
}

/**
 * Accounts I administer whose go-live is not confirmed yet. Administrators are often class teachers, who
 * have no Account register page: their part of it (confirm go-live, the login held by the network manager)
 * waits for them here. Shown only when there is something to do.
 */
function AccountsToConfirm() {
  const s = useStyles();
  // A person administers a handful of accounts: the largest page holds them all.
  const mine = useLoad<RegisterList>('/api/register/mine?limit=100');
  const [open, setOpen] = useState<RegisterAccount | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const waiting = (mine.data?.items ?? []).filter((a) => a.may.confirm && !a.confirmation);
  if (!waiting.length && !saved) return null;
  return (
    <section className={s.section} aria-labelledby="tasks-accounts">
      <Subtitle2 as="h2" id="tasks-accounts">
        Accounts to confirm
      </Subtitle2>
      {saved && (
        <MessageBar intent="success">
          <MessageBarBody>{saved}</MessageBarBody>
        </MessageBar>
      )}
      <ul className={s.list}>
        {waiting.map((a) => (
          <li key={a.id} className={s.item}>
            <div className={s.grow}>
              <Text weight="semibold" block>
                {`${a.platform}: ${a.host}`}
              </Text>
              <Caption1>{`Approved; go-live ${formatDay(a.goLive)}. You are one of its administrators.`}</Caption1>
            </div>
            <Button appearance="primary" onClick={() => setOpen(a)} aria-label={`Confirm go-live of ${a.platform} (${a.reference})`}>
              Confirm go-live
            </Button>
          </li>
        ))}
      </ul>
      {open && (
        <ConfirmDialog
          account={open}
          onClose={() => setOpen(undefined)}
          onSaved={(a) => {
            setOpen(undefined);
            setSaved(`Go-live confirmed: ${a.platform} (${a.reference}).`);
            mine.reload();
          }}
          onStale={() => {
            setOpen(undefined);
            mine.reload();
          }}
        />
      )}
    </section>
  );
}

/** One declaration: its card as the chat shows it, signed here with the same rules. */
function DeclarationPage({ versionId, theme, navigate }: PageProps & { versionId: string }) {
  const s = useStyles();
  const view = useLoad<DeclarationDetail>(tasksPaths.declaration(versionId));
  const [card, setCard] = useState<object | undefined>();
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState(false);
  const signed = !!view.data?.signed || !!outcome?.ok;

  const onAction = async (a: CardAction) => {
    if (a.verb === 'declaration.show' && typeof a.data.versionId === 'string') return navigate(`tasks/declaration/${encodeURIComponent(a.data.versionId)}`);
    if (a.verb !== 'declaration.sign') return;
    setBusy(true);
    setOutcome(undefined);
    try {
      const answer = await api.post<SignAnswer>(tasksPaths.sign(versionId), {
        typedName: String(a.data.typedName ?? ''),
        confirm: a.data.confirm === 'true' || a.data.confirm === true,
        ...(typeof a.data.campaignId === 'string' ? { campaignId: a.data.campaignId } : {}),
      });
      setCard(answer.card);
      setOutcome({ ok: true, message: answer.message });
    } catch (e) {
      setOutcome({ ok: false, message: e instanceof ApiFailure || e instanceof Error ? e.message : 'That did not work.' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page
      title={view.data ? view.data.title : 'Declaration'}
      actions={
        <>
          {signed && view.data && <Button onClick={() => setReceipt(true)}>Receipt</Button>}
          <Button appearance="secondary" onClick={() => navigate('tasks')}>
            Back to My tasks
          </Button>
        </>
      }
    >
      {view.error && <Failed error={view.error} retry={view.reload} />}
      {view.loading && !view.data && <Loading label="Loading the declaration…" />}
      {view.data && (
        <div className={s.card} aria-busy={busy}>
          <Body1>Read the statements and the full policy, tick the box, and type your full name to sign.</Body1>
          {outcome && (
            <MessageBar intent={outcome.ok ? 'success' : 'error'} role={outcome.ok ? 'status' : 'alert'}>
              <MessageBarBody>{outcome.message}</MessageBarBody>
            </MessageBar>
          )}
          <AdaptiveCardView card={card ?? view.data.card} theme={theme} onAction={(a) => void onAction(a)} label={`Declaration: ${view.data.title}`} />
        </div>
      )}
      {receipt && view.data && <ReceiptDialog versionId={view.data.versionId} title={`Receipt: ${view.data.title}, version ${view.data.versionLabel}`} onClose={() => setReceipt(false)} />}
    </Page>
  );
}
