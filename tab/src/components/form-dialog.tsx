import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, makeStyles, tokens } from '@fluentui/react-components';
import type { FormEvent, ReactNode } from 'react';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  // Never wider than a phone's screen (Teams mobile is 320 px wide).
  surface: { maxWidth: 'min(520px, calc(100vw - 32px))', boxSizing: 'border-box' },
});

/** A modal form with Cancel and one submit button: the shape of every change made in a dialog. */
export function FormDialog({
  title,
  submitLabel,
  busy,
  submitDisabled,
  onSubmit,
  onClose,
  children,
}: {
  title: string;
  submitLabel: string;
  busy: boolean;
  submitDisabled?: boolean;
  onSubmit(e: FormEvent): void;
  onClose(): void;
  children: ReactNode;
}) {
  const s = useStyles();
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface className={s.surface}>
        <form onSubmit={onSubmit}>
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent className={s.form}>{children}</DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={onClose} disabled={busy}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={busy || submitDisabled}>
                {busy ? 'Saving…' : submitLabel}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
