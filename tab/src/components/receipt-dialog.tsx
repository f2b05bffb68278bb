import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarActions, MessageBarBody, makeStyles, tokens } from '@fluentui/react-components';
import { useRef } from 'react';
import { tasksPaths, type ReceiptAnswer } from '../../../src/contract/tasks';
import { Failed, Loading } from './states';
import { useLoad } from './use-load';

const useStyles = makeStyles({
  // Never wider than the screen (Teams mobile is 320 px wide); the receipt reflows inside the frame.
  surface: { width: 'min(860px, calc(100vw - 32px))', maxWidth: 'min(860px, calc(100vw - 32px))', boxSizing: 'border-box' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  frame: {
    width: '100%',
    height: 'min(70vh, 880px)',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    boxSizing: 'border-box',
  },
});

/**
 * A signature's receipt, shown in the page and printed from it. Not a new window: the Teams desktop client may
 * block window.open of a blob URL, and the API needs the bearer token, so the page fetches the HTML and shows it
 * in a frame. The frame is sandboxed without scripts (the receipt has none); same origin only so that Print can
 * reach it, and modals so that the print dialog may open.
 */
export function ReceiptDialog({ versionId, person, title, onClose }: { versionId: string; person?: string; title: string; onClose(): void }) {
  const s = useStyles();
  const receipt = useLoad<ReceiptAnswer>(tasksPaths.receipt(versionId, person));
  const frame = useRef<HTMLIFrameElement>(null);
  const r = receipt.data;
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface className={s.surface} aria-busy={receipt.loading}>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent className={s.content}>
            {receipt.error && <Failed error={receipt.error} retry={receipt.reload} />}
            {receipt.loading && !r && <Loading label="Preparing the receipt…" />}
            {r && !r.recorded && (
              <MessageBar intent="warning">
                <MessageBarBody>The signature’s place in the audit chain is being recorded. Try again in a minute for a receipt that shows it.</MessageBarBody>
                <MessageBarActions>
                  <Button onClick={receipt.reload}>Try again</Button>
                </MessageBarActions>
              </MessageBar>
            )}
            {r && <iframe ref={frame} className={s.frame} title={title} srcDoc={r.html} sandbox="allow-same-origin allow-modals" />}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose}>
              Close
            </Button>
            <Button appearance="primary" disabled={!r} onClick={() => frame.current?.contentWindow?.print()}>
              Print or save as PDF
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
