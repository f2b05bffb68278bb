import { Body1, Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Spinner, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { ApiFailure } from '../api-client';

const useStyles = makeStyles({
  empty: { padding: `${tokens.spacingVerticalXL} 0`, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  loading: { padding: tokens.spacingVerticalXL },
});

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return <Spinner className={useStyles().loading} label={label} />;
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className={useStyles().empty}>
      <Subtitle2 as="h3">{title}</Subtitle2>
      {children && <Body1>{children}</Body1>}
    </div>
  );
}

/** The server's own message, and a way to try again. */
export function Failed({ error, retry }: { error: ApiFailure | Error; retry?: () => void }) {
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        <MessageBarTitle>That did not work.</MessageBarTitle>
        {error.message}
      </MessageBarBody>
      {retry && (
        <MessageBarActions>
          <Button onClick={retry}>Try again</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
