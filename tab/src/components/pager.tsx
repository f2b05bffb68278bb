import { Button, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';

const useStyles = makeStyles({
  pager: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
});

/**
 * Where a list paged on the server stands: the cursors of the pages before this one, so "Previous"
 * goes back without the server keeping anything. Any change of filter starts again from the first page.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    onFirst: cursors.length === 0,
    restart: () => setCursors([]),
    back: () => setCursors((c) => c.slice(0, -1)),
    forward: (next: string) => setCursors((c) => [...c, next]),
  };
}

/** Previous and next page buttons; nothing when everything fits on one page. */
export function Pager({ pages, next, label }: { pages: ReturnType<typeof useCursorPages>; next: string | undefined; label: string }) {
  const s = useStyles();
  if (pages.onFirst && !next) return null;
  return (
    <nav className={s.pager} aria-label={label}>
      <Button disabled={pages.onFirst} onClick={pages.back}>
        Previous page
      </Button>
      <Button disabled={!next} onClick={() => next && pages.forward(next)}>
        Next page
      </Button>
    </nav>
  );
}
