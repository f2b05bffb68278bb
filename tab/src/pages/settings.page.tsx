import {
  Badge,
  Body1,
  Button,
  Caption1,
  Checkbox,
  Combobox,
  Field,
  MessageBar,
  MessageBarBody,
  Option,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { settingsPaths, type PersonRoles, type RoleInfo, type RolesOverview, type SetRolesBody } from '../../../src/contract/settings';
import type { SchoolRole } from '../../../src/domain/people';
import { api, ApiFailure, fieldMessage, unexplained } from '../api-client';
import { FormDialog } from '../components/form-dialog';
import { Page } from '../components/page';
import { StackingTable, type StackingColumn } from '../components/stacking-table';
import { Failed, Loading } from '../components/states';
import { useLoad } from '../components/use-load';
import { useStaffSearch } from '../components/use-staff-search';
import type { PageProps } from './page-props';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  badges: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, minWidth: 0 },
  roleList: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  find: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalM, minWidth: 0 },
  findField: { minWidth: 0, flex: '1 1 14rem', maxWidth: '24rem' },
  wrap: { overflowWrap: 'anywhere' },
  roles: {
    display: 'flex',
    flexDirection: 'column',
    minWidth: 0,
    margin: 0,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalS}`,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  error: { color: tokens.colorPaletteRedForeground1 },
});

/** Who holds each role, in a sentence an admin reads at a glance; a role approvals need and nobody holds is said plainly. */
function RoleSummary({ info, holders }: { info: RoleInfo; holders: PersonRoles[] }) {
  const s = useStyles();
  const names = holders.filter((h) => h.roles.includes(info.role)).map((h) => h.name);
  return (
    <li className={s.stack}>
      <Text weight="semibold">{info.label}</Text>
      {names.length ? <Text className={s.wrap}>{names.join(', ')}</Text> : info.singleHolder ? <Text>Nobody yet: approvals that need this role cannot be routed.</Text> : <Text className={s.muted}>Nobody</Text>}
      <Caption1 className={s.muted}>{info.duties}</Caption1>
    </li>
  );
}

function RolesDialog({ person, roles, onClose, onSaved }: { person: PersonRoles; roles: RoleInfo[]; onClose(): void; onSaved(p: PersonRoles): void }) {
  const s = useStyles();
  const [chosen, setChosen] = useState<SchoolRole[]>(person.roles);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | undefined>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body: SetRolesBody = { roles: chosen };
      onSaved(await api.put<PersonRoles>(settingsPaths.personRoles(person.id), body));
    } catch (x) {
      setError(x as ApiFailure);
      setBusy(false);
    }
  };
  const other = unexplained(error, ['roles']);
  const rolesError = fieldMessage(error, 'roles');
  return (
    <FormDialog title={`Roles of ${person.name}`} submitLabel="Save roles" busy={busy} onSubmit={submit} onClose={onClose}>
      <Body1>
        {person.jobTitle}, {person.department}. A change applies at once: their next action is checked with these roles.
      </Body1>
      {other && <Failed error={other} />}
      {/* A fieldset, not a Field: a Field gives its one control id to every checkbox inside it, so each label would tick the first. */}
      <fieldset className={s.roles} aria-describedby={rolesError ? 'settings-roles-error' : undefined}>
        <legend>Roles</legend>
        {roles.map((r) => (
          <Checkbox
            key={r.role}
            checked={chosen.includes(r.role)}
            label={`${r.label}: ${r.duties}`}
            onChange={(_, d) => setChosen((c) => (d.checked ? [...c, r.role] : c.filter((x) => x !== r.role)))}
          />
        ))}
      </fieldset>
      {rolesError && (
        <Text id="settings-roles-error" role="alert" className={s.error}>
          {rolesError}
        </Text>
      )}
    </FormDialog>
  );
}

/** Search the staff list for someone to give a role to. */
function FindPerson({ onPick }: { onPick(p: PersonRoles): void }) {
  const s = useStyles();
  const [q, setQ] = useState('');
  const { choices, error } = useStaffSearch<PersonRoles>(settingsPaths.people, q, { whenEmpty: false });
  return (
    <div className={s.find}>
      <Field label="Give someone a role" hint="Search the staff list by name or e-mail." className={s.findField} validationMessage={fieldMessage(error, 'q')}>
        <Combobox
          placeholder="Name or e-mail"
          freeform
          value={q}
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
          onOptionSelect={(_, d) => {
            const p = choices.find((c) => c.id === d.optionValue);
            if (p) onPick(p);
          }}
        >
          {choices.map((c) => (
            <Option key={c.id} value={c.id} text={c.name}>
              {c.name}, {c.jobTitle}
            </Option>
          ))}
        </Combobox>
      </Field>
    </div>
  );
}

/** Settings (policy admins): who holds each role, and changing anyone's roles. */
export default function SettingsPage(_: PageProps) {
  const s = useStyles();
  const { data, error, loading, reload } = useLoad<RolesOverview>(settingsPaths.roles);
  const [editing, setEditing] = useState<PersonRoles | undefined>();
  const [saved, setSaved] = useState<string | undefined>();

  const label = (role: SchoolRole) => data?.roles.find((r) => r.role === role)?.label ?? role;
  const columns: StackingColumn<PersonRoles>[] = [
    {
      key: 'person',
      label: 'Person',
      render: (p) => (
        <div className={s.stack}>
          <Text weight="semibold">{p.name}</Text>
          <Caption1 className={s.muted}>
            {p.jobTitle}, {p.department}
          </Caption1>
        </div>
      ),
    },
    {
      key: 'roles',
      label: 'Roles',
      render: (p) => (
        <div className={s.badges}>
          {p.roles.map((r) => (
            <Badge key={r} appearance="tint" shape="rounded">
              {label(r)}
            </Badge>
          ))}
        </div>
      ),
    },
    {
      key: 'change',
      label: 'Change',
      render: (p) => (
        <Button size="small" onClick={() => setEditing(p)} aria-label={`Change the roles of ${p.name}`}>
          Change roles
        </Button>
      ),
    },
  ];

  return (
    <Page title="Settings">
      <Body1>Roles decide who approves account requests, who keeps the account register and who runs campaigns. Only policy admins can change them.</Body1>
      {saved && (
        <MessageBar intent="success">
          <MessageBarBody>{saved}</MessageBarBody>
        </MessageBar>
      )}
      {error && <Failed error={error} retry={reload} />}
      {loading && !data && <Loading label="Loading the roles…" />}
      {data && (
        <>
          <section className={s.section} aria-labelledby="settings-roles">
            <Subtitle2 as="h2" id="settings-roles">
              Who holds each role
            </Subtitle2>
            <ul className={s.roleList}>
              {data.roles.map((r) => (
                <RoleSummary key={r.role} info={r} holders={data.holders} />
              ))}
            </ul>
          </section>
          <section className={s.section} aria-labelledby="settings-people">
            <Subtitle2 as="h2" id="settings-people">
              People with a role
            </Subtitle2>
            <FindPerson onPick={setEditing} />
            <StackingTable label="People with a role" columns={columns} rows={data.holders} rowKey={(p) => p.id} />
          </section>
        </>
      )}
      {editing && data && (
        <RolesDialog
          person={editing}
          roles={data.roles}
          onClose={() => setEditing(undefined)}
          onSaved={(p) => {
            setEditing(undefined);
            setSaved(p.roles.length ? `${p.name} now holds: ${p.roles.map(label).join(', ')}.` : `${p.name} now holds no role.`);
            reload();
          }}
        />
      )}
    </Page>
  );
}
