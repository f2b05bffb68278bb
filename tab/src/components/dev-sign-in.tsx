import { Body1, Button, Card, CardHeader, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { DevPerson } from '../../../src/contract/api';
import { roleLabels } from '../../../src/domain/people';
import { ApiFailure } from '../api-client';
import { devSignIn } from '../session';
import { Page } from './page';
import { Failed, Loading } from './states';

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(240px, 1fr))', gap: tokens.spacingHorizontalM },
});

/** The embedded demo only: sign in as any demo person, to see the app as they do. */
export function DevSignInPanel({ onSignIn }: { onSignIn(personId: string): Promise<void> }) {
  const s = useStyles();
  const [people, setPeople] = useState<DevPerson[] | undefined>();
  const [error, setError] = useState<ApiFailure | Error | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  useEffect(() => {
    devSignIn.people().then(setPeople, setError);
  }, []);
  return (
    <Page title="Who are you in the demo?">
      <Body1>This is the embedded demo of Countersign, running on this computer only. Choose a person of the demo school to see the app as they would.</Body1>
      {error && <Failed error={error} />}
      {!people && !error && <Loading label="Loading the demo school…" />}
      {people && (
        <div className={s.grid}>
          {people.map((p) => (
            <Card key={p.id}>
              <CardHeader header={<Text weight="semibold">{p.name}</Text>} description={<Body1>{[p.jobTitle, ...p.roles.map((r) => roleLabels[r])].join(' · ')}</Body1>} />
              <Button
                appearance="primary"
                disabled={!!busy}
                onClick={() => {
                  setBusy(p.id);
                  onSignIn(p.id).catch(setError).finally(() => setBusy(undefined));
                }}
              >
                {busy === p.id ? 'Signing in…' : `Continue as ${p.name.split(' ')[0]}`}
              </Button>
            </Card>
          ))}
        </div>
      )}
    </Page>
  );
}
