import { Body1, Button, Checkbox, Field, Input, MessageBar, MessageBarBody, Radio, RadioGroup, Select, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { campaignPaths, type AudienceInput, type CampaignDashboard, type CampaignOptions, type LaunchCampaignBody } from '../../../../src/contract/campaigns';
import { api, fieldMessage, unexplained, type ApiFailure } from '../../api-client';
import { Empty, Failed, Loading } from '../../components/states';
import { useLoad } from '../../components/use-load';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '560px', minWidth: 0 },
  field: { minWidth: 0 },
  wide: { width: '100%', minWidth: 0 },
  narrow: { maxWidth: '160px' },
  departments: {
    display: 'flex',
    flexWrap: 'wrap',
    columnGap: tokens.spacingHorizontalL,
    minWidth: 0,
    margin: 0,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
});

/**
 * Launch an acknowledgement campaign: policy version, deadline, reminder cadence and audience (all
 * staff, chosen departments, people who joined on or after a date, or the members of a team Countersign
 * is in). The server checks everything again and names the field at fault.
 */
export function LaunchForm({ onLaunched, onCancel }: { onLaunched(id: string): void; onCancel(): void }) {
  const s = useStyles();
  const options = useLoad<CampaignOptions>(campaignPaths.options);
  const [values, setValues] = useState<{ versionId?: string; deadline?: string; every?: string; audience: AudienceInput['kind']; departments: string[]; since?: string; teamId?: string }>({ audience: 'all', departments: [] });
  const [failure, setFailure] = useState<ApiFailure | undefined>();
  const [busy, setBusy] = useState(false);

  if (options.error && !options.data) return <Failed error={options.error} retry={options.reload} />;
  if (!options.data) return <Loading label="Loading the policy versions…" />;
  const o = options.data;
  if (!o.versions.length) return <Empty title="No policy version to send.">Publish a policy version first (Policies page); a campaign sends the current version.</Empty>;

  const versionId = values.versionId ?? o.versions[0]!.id;
  const deadline = values.deadline ?? o.defaultDeadline;
  const every = values.every ?? String(o.defaultReminderEveryDays);
  // The first day of the current school year (1 September) is what a new-starters campaign usually means.
  const since = values.since ?? schoolYearStart(o.today);
  const joinedSince = o.joinDays.reduce((n, d) => (d.day >= since ? n + d.people : n), 0);
  const knownJoinDates = o.joinDays.reduce((n, d) => n + d.people, 0);
  const teamId = values.teamId ?? o.teams[0]?.id ?? '';
  const fieldError = (name: string) => fieldMessage(failure, name);
  const general = unexplained(failure, ['versionId', 'deadline', 'reminderEveryDays', 'audience']);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFailure(undefined);
    const audience: AudienceInput =
      values.audience === 'departments'
        ? { kind: 'departments', departments: values.departments }
        : values.audience === 'joinedSince'
          ? { kind: 'joinedSince', since }
          : values.audience === 'team'
            ? { kind: 'team', teamId }
            : { kind: 'all' };
    const body: LaunchCampaignBody = { versionId, deadline, reminderEveryDays: Number(every), audience };
    try {
      const launched = await api.post<CampaignDashboard>(campaignPaths.list, body);
      onLaunched(launched.campaign.id);
    } catch (err) {
      setFailure(err as ApiFailure);
      setBusy(false);
    }
  };

  const toggle = (d: string, on: boolean) => setValues((v) => ({ ...v, departments: on ? [...v.departments, d] : v.departments.filter((x) => x !== d) }));

  return (
    <form className={s.form} onSubmit={submit} noValidate>
      <Body1>Everyone in the audience gets the declaration in a 1:1 chat. Reminders go only to people who have not signed, until the deadline.</Body1>
      <Field label="Policy version" required className={s.field} validationMessage={fieldError('versionId')}>
        <Select value={versionId} select={{ className: s.wide }} onChange={(_, d) => setValues((v) => ({ ...v, versionId: d.value }))}>
          {o.versions.map((v) => (
            <option key={v.id} value={v.id}>{`${v.title} (${v.versionLabel})`}</option>
          ))}
        </Select>
      </Field>
      <Field label="Deadline" required className={s.field} validationMessage={fieldError('deadline')}>
        <Input type="date" className={s.narrow} value={deadline} min={o.today} onChange={(_, d) => setValues((v) => ({ ...v, deadline: d.value }))} />
      </Field>
      <Field label="Remind those who have not signed every (days)" required className={s.field} validationMessage={fieldError('reminderEveryDays')}>
        <Input type="number" className={s.narrow} min={1} max={90} step={1} value={every} onChange={(_, d) => setValues((v) => ({ ...v, every: d.value }))} />
      </Field>
      <Field
        label="Audience"
        required
        className={s.field}
        validationMessage={values.audience === 'team' ? undefined : fieldError('audience')}
        hint={o.teams.length ? undefined : 'To send to the members of a team, add Countersign to the team in Teams first.'}
      >
        <RadioGroup value={values.audience} onChange={(_, d) => setValues((v) => ({ ...v, audience: d.value as AudienceInput['kind'] }))}>
          <Radio value="all" label="All staff in the school directory" />
          <Radio value="departments" label="One or more departments" />
          <Radio value="joinedSince" label="People who joined on or after a date" />
          {o.teams.length > 0 && <Radio value="team" label="Members of a team" />}
        </RadioGroup>
      </Field>
      {values.audience === 'team' && o.teams.length > 0 && (
        <Field
          label="Team"
          required
          className={s.field}
          validationMessage={fieldError('audience.teamId')}
          hint="Members of the team who are in the staff directory get the declaration; guests and pupils do not. People who join the team are added at each reminder."
        >
          <Select value={teamId} select={{ className: s.wide }} onChange={(_, d) => setValues((v) => ({ ...v, teamId: d.value }))}>
            {o.teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </Select>
        </Field>
      )}
      {values.audience === 'departments' && (
        <fieldset className={s.departments}>
          <legend>Departments</legend>
          {o.departments.map((d) => (
            <Checkbox key={d} label={d} checked={values.departments.includes(d)} onChange={(_, data) => toggle(d, !!data.checked)} />
          ))}
        </fieldset>
      )}
      {values.audience === 'joinedSince' && (
        <Field
          label="Joined on or after"
          required
          className={s.field}
          hint={
            knownJoinDates
              ? `${joinedSince === 1 ? '1 person' : `${joinedSince} people`} in the directory joined on or after this date. Only people whose join date is in the directory are included.`
              : 'The directory holds no join dates yet, so this audience would reach nobody: choose all staff or departments instead.'
          }
        >
          <Input type="date" className={s.narrow} value={since} max={o.today} onChange={(_, d) => setValues((v) => ({ ...v, since: d.value }))} />
        </Field>
      )}
      {general && <Failed error={general} />}
      {failure?.status === 409 && (
        <MessageBar intent="warning">
          <MessageBarBody>Open the campaign from the list to see its status, or close it first.</MessageBarBody>
        </MessageBar>
      )}
      <div className={s.actions}>
        <Button appearance="primary" type="submit" disabled={busy}>
          {busy ? 'Launching…' : 'Launch campaign'}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}

/** 1 September of the school year that `today` (YYYY-MM-DD) falls in: England's school year starts in September. */
function schoolYearStart(today: string): string {
  const year = Number(today.slice(0, 4));
  return `${today.slice(5) >= '09-01' ? year : year - 1}-09-01`;
}
