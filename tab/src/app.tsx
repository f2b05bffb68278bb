import { Body1, Card, CardHeader, FluentProvider, Spinner, Subtitle1, Text, Title2, webLightTheme } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { detectTeams } from './teams-context';

interface Health {
  status: string;
  mode: string;
}

/** A first tab: it says where the user is and what Countersign does. Campaign pages arrive with the campaign work. */
export function App() {
  const [health, setHealth] = useState<Health | undefined>();
  const [teams, setTeams] = useState<{ inTeams: boolean; userName?: string } | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    fetch('/healthz')
      .then((r) => r.json())
      .then(setHealth)
      .catch(() => setError('Countersign’s server did not answer. Check that it is running.'));
    void detectTeams().then(setTeams);
  }, []);

  return (
    <FluentProvider theme={webLightTheme} style={{ padding: 24, minHeight: '100vh' }}>
      <Title2 as="h1">Countersign</Title2>
      <Body1 as="p">Social media account approvals and policy declarations, in Teams chat.</Body1>
      {error && <Text role="alert">{error}</Text>}
      {!health && !error && <Spinner label="Connecting…" />}
      {health && (
        <Card style={{ maxWidth: 520, marginTop: 16 }}>
          <CardHeader header={<Subtitle1>Running in {health.mode} mode</Subtitle1>} />
          <Body1>
            {teams?.inTeams
              ? `Signed in through Teams${teams.userName ? ` as ${teams.userName}` : ''}.`
              : health.mode === 'embedded'
                ? 'Not inside Teams: this is the embedded demo. Use the Agents Playground chat to request an account.'
                : 'Open Countersign from Teams to sign in.'}
          </Body1>
          <Body1>In the chat, type help, request or status.</Body1>
        </Card>
      )}
    </FluentProvider>
  );
}
