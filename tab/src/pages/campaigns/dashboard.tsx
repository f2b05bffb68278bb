import {
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Link,
  MessageBar,
  MessageBarBody,
  Spinner,
  Subtitle2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { campaignPaths, type CampaignCompletion, type CampaignDashboard, type CampaignExport } from '../../../../src/contract/campaigns';
import { audienceWords, campaignPhaseWords } from '../../../../src/domain/campaign';
import { formatDay, formatMoment, localDay } from '../../../../src/domain/display-dates';
import { api, type ApiFailure } from '../../api-client';
import { Failed, Loading } from '../../components/states';
import { useLoad } from '../../components/use-load';
import { CompletionByDepartment, CompletionOverTime } from './charts';
import { NotSignedList } from './not-signed';
import { CampaignStats } from './stats';

const useStyles = makeStyles({
  view: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, minWidth: 0 },
  facts: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, minWidth: 0, overflowWrap: 'anywhere' },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  charts: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 320px), 1fr))', gap: tokens.spacingHorizontalXL, minWidth: 0 },
});

/** How often the open dashboard asks again: figures every 5 s, the completion line every 30 s (it reads every signature). */
const POLL_MS = 5_000;
const COMPLETION_POLL_MS = 30_000;

type Notice = { intent: 'success' | 'error'; text: string; link?: { href: string; label: string } };

/** One campaign, live: figures, charts, the non-signers, and Remind now, Export CSV, Print summary and Close. */
export function Dashboard({ id, timeZone, onBack }: { id: string; timeZone: string; onBack(): void }) {
  const s = useStyles();
  const live = useLoad<CampaignDashboard>(campaignPaths.one(id), { pollMs: POLL_MS });
  const completion = useLoad<CampaignCompletion>(campaignPaths.completion(id), { pollMs: COMPLETION_POLL_MS });
  const [notice, setNotice] = useState<Notice | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  // The completion line reads every signature, so it is asked for less often, and again as soon as the count moves.
  const signedNow = live.data?.progress.byState.signed;
  useEffect(() => {
    if (signedNow !== undefined) completion.reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signedNow]);

  if (live.error && !live.data) return <Failed error={live.error} retry={live.reload} />;
  if (!live.data) return <Loading label="Loading the campaign…" />;
  const { campaign: c, progress: p, remind } = live.data;

  const run = async (what: string, call: () => Promise<Notice>) => {
    setBusy(what);
    setNotice(undefined);
    try {
      setNotice(await call());
      live.reload();
    } catch (e) {
      setNotice({ intent: 'error', text: (e as ApiFailure).message });
    } finally {
      setBusy(undefined);
    }
  };
  const remindNow = () =>
    run('remind', async () => {
      await api.post<CampaignDashboard>(campaignPaths.remind(id));
      return { intent: 'success', text: 'Reminders are on their way to everyone who has not signed.' };
    });
  const exportCsv = () =>
    run('export', async () => {
      const file = await api.post<CampaignExport>(campaignPaths.export(id));
      // Opened from the click, so the browser allows it; the link stays on the page in case it was blocked.
      window.open(file.link, '_blank', 'noopener');
      return { intent: 'success', text: `Export ready: ${file.file} (${file.rows} rows).`, link: { href: file.link, label: 'Download the CSV' } };
    });
  const close = () =>
    run('close', async () => {
      await api.post<CampaignDashboard>(campaignPaths.close(id));
      return { intent: 'success', text: 'Closed. No more cards or reminders will be sent; the figures were counted again from the records.' };
    });

  const phase = campaignPhaseWords(c, p, timeZone);
  const closedOrOver = p.phase === 'closed';
  return (
    <div className={s.view}>
      <Caption1 data-print="only">Summary for governors, printed {formatMoment(new Date().toISOString(), timeZone)}.</Caption1>
      <div className={s.facts}>
        <Subtitle2 as="h2">{`${c.title} (${c.versionLabel})`}</Subtitle2>
        <Body1>
          {phase}. Deadline {formatDay(c.deadline)}; reminders every {c.reminderEveryDays} days.
        </Body1>
        <Caption1>
          Audience: {audienceWords(c.audience)}. Launched {formatDay(localDay(c.launchedAt, timeZone))} by {c.launchedByName}.
          {c.remindedOn ? ` “Remind now” last used on ${formatDay(c.remindedOn)}.` : ''}
        </Caption1>
      </div>
      {p.phase === 'preparing' && <Spinner size="tiny" labelPosition="after" label="Counting the audience: reading the directory and booking the cards…" data-print="hide" />}

      <div className={s.actions} data-print="hide">
        <Button appearance="primary" onClick={remindNow} disabled={!remind.allowed || !!busy} aria-describedby={remind.why ? 'remind-why' : undefined}>
          {busy === 'remind' ? 'Reminding…' : 'Remind now'}
        </Button>
        <Button onClick={exportCsv} disabled={!!busy}>
          {busy === 'export' ? 'Exporting…' : 'Export CSV'}
        </Button>
        <Button onClick={() => window.print()}>Print summary</Button>
        {!c.closed && (
          <Dialog>
            <DialogTrigger disableButtonEnhancement>
              <Button disabled={!!busy}>Close campaign</Button>
            </DialogTrigger>
            <DialogSurface>
              <DialogBody>
                <DialogTitle>Close this campaign?</DialogTitle>
                <DialogContent>No more cards or reminders will be sent. People can still sign the declaration in chat. This cannot be undone; you can launch a new campaign afterwards.</DialogContent>
                <DialogActions>
                  <DialogTrigger disableButtonEnhancement>
                    <Button appearance="primary" onClick={close}>
                      Close campaign
                    </Button>
                  </DialogTrigger>
                  <DialogTrigger disableButtonEnhancement>
                    <Button>Keep it open</Button>
                  </DialogTrigger>
                </DialogActions>
              </DialogBody>
            </DialogSurface>
          </Dialog>
        )}
        <Button appearance="subtle" onClick={onBack}>
          All campaigns
        </Button>
      </div>
      {remind.why && !closedOrOver && (
        <Caption1 id="remind-why" data-print="hide">
          {remind.why}
        </Caption1>
      )}
      {notice && (
        <MessageBar intent={notice.intent} role={notice.intent === 'error' ? 'alert' : 'status'} data-print="hide">
          <MessageBarBody>
            {notice.text}
            {notice.link && (
              <>
                {' '}
                <Link href={notice.link.href} target="_blank" rel="noopener">
                  {notice.link.label}
                </Link>
              </>
            )}
          </MessageBarBody>
        </MessageBar>
      )}
      {live.error && <Failed error={live.error} retry={live.reload} />}

      <CampaignStats progress={p} closed={!!c.closed} />
      {p.total > 0 && (
        <div className={s.charts}>
          {completion.data ? <CompletionOverTime byDay={completion.data.byDay} launchDay={localDay(c.launchedAt, timeZone)} lastDay={c.closed ? localDay(c.closed.at, timeZone) : live.data.today < c.deadline ? live.data.today : c.deadline} total={p.total} /> : <Loading label="Loading the completion line…" />}
          <CompletionByDepartment departments={p.byDepartment} />
        </div>
      )}
      {p.total > 0 && <NotSignedList campaignId={id} departments={p.byDepartment.map((d) => d.department)} signed={p.byState.signed} timeZone={timeZone} />}
    </div>
  );
}
