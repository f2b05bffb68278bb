import { Caption1Strong, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';

/** Narrower than this, rows become stacked cards: a table never makes the page scroll sideways. */
const NARROW = '@media (max-width: 639.98px)';

const useStyles = makeStyles({
  table: {
    width: '100%',
    tableLayout: 'auto',
    [NARROW]: { display: 'block' },
  },
  head: { [NARROW]: { display: 'none' } },
  body: { [NARROW]: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM } },
  row: {
    verticalAlign: 'top',
    [NARROW]: {
      display: 'flex',
      flexDirection: 'column',
      gap: tokens.spacingVerticalXS,
      padding: tokens.spacingHorizontalM,
      border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
      borderRadius: tokens.borderRadiusMedium,
      backgroundColor: tokens.colorNeutralBackground1,
    },
  },
  cell: {
    minWidth: 0,
    overflowWrap: 'anywhere',
    paddingTop: tokens.spacingVerticalS,
    paddingBottom: tokens.spacingVerticalS,
    [NARROW]: { display: 'block', padding: 0, height: 'auto' },
  },
  /** Each cell's column name, shown only when the row is stacked (the header row is hidden then). */
  label: { display: 'none', [NARROW]: { display: 'block', color: tokens.colorNeutralForeground3 } },
});

export interface StackingColumn<T> {
  key: string;
  label: string;
  render(row: T): ReactNode;
}

/**
 * A Fluent table that becomes one card per row under 640 px, each value under
 * its column's name, so nothing scrolls sideways even at 320 px.
 */
export function StackingTable<T>({ label, columns, rows, rowKey, className }: { label: string; columns: StackingColumn<T>[]; rows: T[]; rowKey(row: T): string; className?: string }) {
  const s = useStyles();
  return (
    <Table aria-label={label} className={mergeClasses(s.table, className)}>
      <TableHeader className={s.head}>
        <TableRow>
          {columns.map((c) => (
            <TableHeaderCell key={c.key}>{c.label}</TableHeaderCell>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody className={s.body}>
        {rows.map((r) => (
          <TableRow key={rowKey(r)} className={s.row}>
            {columns.map((c) => (
              <TableCell key={c.key} className={s.cell}>
                <Caption1Strong className={s.label}>{c.label}</Caption1Strong>
                {c.render(r)}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
