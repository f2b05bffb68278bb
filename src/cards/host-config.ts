/**
 * Teams-like host configs for rendering our cards in a browser, light and dark.
 * Colours and sizes are those of the Teams host configs published with Adaptive Cards
 * (microsoft/AdaptiveCards, samples/HostConfig/microsoft-teams-light.json and -dark.json).
 * Teams' own font is Segoe UI, which this machine lacks; Liberation Sans has Arial's metrics,
 * close to what phones use (San Francisco, Roboto), and is installed with Debian's Chromium.
 */
export type Theme = 'light' | 'dark';

const palettes = {
  light: {
    background: '#ffffff',
    emphasis: '#f9f8f7',
    separator: '#eeeeee',
    colours: {
      default: ['#ff252424', '#bf252424'],
      dark: ['#ff252424', '#bf252424'],
      light: ['#ffffffff', '#fff3f2f1'],
      accent: ['#ff6264a7', '#ff8b8cc7'],
      good: ['#ff92c353', '#e592c353'],
      warning: ['#fff8d22a', '#e5f8d22a'],
      attention: ['#ffc4314b', '#e5c4314b'],
    },
  },
  dark: {
    background: '#2d2c2c',
    emphasis: '#292828',
    separator: '#4a4a4a',
    colours: {
      default: ['#ffffffff', '#bfffffff'],
      dark: ['#ff201f1f', '#ff2d2c2c'],
      light: ['#ffffffff', '#bfffffff'],
      accent: ['#ffa6a7dc', '#ff8b8cc7'],
      good: ['#ff92c353', '#e592c353'],
      warning: ['#fff8d22a', '#e5f8d22a'],
      attention: ['#ffd74654', '#e5d74654'],
    },
  },
} as const;

export const teamsFontFamily = "'Segoe UI', 'Liberation Sans', Arial, sans-serif";

export function teamsHostConfig(theme: Theme): Record<string, unknown> {
  const p = palettes[theme];
  const foregroundColors = Object.fromEntries(Object.entries(p.colours).map(([k, [d, s]]) => [k, { default: d, subtle: s }]));
  const sizes = { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 };
  const weights = { lighter: 200, default: 400, bolder: 600 };
  return {
    choiceSetInputValueSeparator: ',',
    supportsInteractivity: true,
    spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
    separator: { lineThickness: 1, lineColor: p.separator },
    fontTypes: {
      default: { fontFamily: teamsFontFamily, fontSizes: sizes, fontWeights: weights },
      monospace: { fontFamily: "'Courier New', 'Liberation Mono', monospace", fontSizes: sizes, fontWeights: weights },
    },
    containerStyles: {
      default: { backgroundColor: p.background, foregroundColors },
      emphasis: { backgroundColor: p.emphasis, foregroundColors },
    },
    actions: {
      maxActions: 6,
      spacing: 'Default',
      buttonSpacing: 8,
      showCard: { actionMode: 'Inline', inlineTopMargin: 16, style: 'emphasis' },
      actionsOrientation: 'Horizontal',
      actionAlignment: 'Left',
    },
    adaptiveCard: { allowCustomStyle: false },
    textBlock: { headingLevel: 2 },
    factSet: {
      title: { size: 'Default', color: 'Default', isSubtle: false, weight: 'Bolder', wrap: true },
      value: { size: 'Default', color: 'Default', isSubtle: false, weight: 'Default', wrap: true },
      spacing: 16,
    },
  };
}

/** The page around the card: Teams' chat background behind a card 330 px wide, the Teams mobile card width. */
export const pageBackground: Record<Theme, string> = { light: '#f5f5f5', dark: '#1f1f1f' };
