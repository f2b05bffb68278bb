import { makeStaticStyles } from '@fluentui/react-components';

/**
 * The governors' summary is the dashboard printed: the browser's Print gives one clean A4 page
 * (or a few) with no navigation, no buttons and no filters, black on white whatever the theme.
 * Anything marked `data-print="hide"` stays on screen only; `data-print="only"` is for paper only.
 * Black and white are named here on purpose: paper is not themed.
 */
export const usePrintStyles = makeStaticStyles(`
  [data-print="only"] { display: none; }
  @media print {
    @page { size: A4; margin: 15mm; }
    header, nav, [data-print="hide"], button { display: none !important; }
    [data-print="only"] { display: block !important; }
    main { grid-column: 1 / -1 !important; }
    html, body, .fui-FluentProvider { background: white !important; }
    * { color: black !important; box-shadow: none !important; background-color: transparent !important; }
    section, li, figure { break-inside: avoid; }
  }
`);
