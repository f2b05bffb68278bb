import { Title2, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, minWidth: 0, maxWidth: '1100px' },
  header: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalM },
});

/** A page's frame: its heading (the one h1 of the view), optional actions beside it, then its content. */
export function Page({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const s = useStyles();
  return (
    <section className={s.page} aria-labelledby="page-title">
      <div className={s.header}>
        <Title2 as="h1" id="page-title">
          {title}
        </Title2>
        {actions}
      </div>
      {children}
    </section>
  );
}
