import * as AC from 'adaptivecards';
import { makeStyles } from '@fluentui/react-components';
import { useEffect, useRef } from 'react';
import { teamsHostConfig } from '../../../src/cards/host-config';
import type { ThemeName } from '../teams';
import { cardMarkdownHtml } from './card-markdown';

const useStyles = makeStyles({
  card: { maxWidth: '100%', minWidth: 0, overflowWrap: 'anywhere', '& .ac-adaptiveCard': { borderRadius: '4px' } },
});

export interface CardAction {
  verb: string;
  data: Record<string, unknown>;
}

/**
 * Draws a card from `src/cards` with the `adaptivecards` renderer and Teams'
 * host config, as Teams draws it. Our own text's bold is drawn (cardMarkdownHtml); text from
 * people stays text. Buttons that act (Action.Execute, Action.Submit) call
 * `onAction` with the verb and the data, inputs included; links open in a new tab.
 */
// Teams draws our TextBlocks' markdown (bold); without a processor the tab would show the asterisks. Choice and
// toggle labels can carry people's names, so they stay plain, as TextRuns always are.
AC.GlobalSettings.useMarkdownInRadioButtonAndCheckbox = false;
AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = cardMarkdownHtml(text);
  result.didProcess = true;
};

export function AdaptiveCardView({ card, theme, onAction, label }: { card: object; theme: ThemeName; onAction?: (a: CardAction) => void; label?: string }) {
  const host = useRef<HTMLDivElement>(null);
  const act = useRef(onAction);
  act.current = onAction;
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const ac = new AC.AdaptiveCard();
    ac.hostConfig = new AC.HostConfig(teamsHostConfig(theme === 'dark' ? 'dark' : 'light'));
    ac.onExecuteAction = (action) => {
      if (action instanceof AC.OpenUrlAction) {
        if (action.url) window.open(action.url, '_blank', 'noopener');
        return;
      }
      const data = (action instanceof AC.SubmitAction || action instanceof AC.ExecuteAction ? action.data : undefined) as Record<string, unknown> | undefined;
      const verb = action instanceof AC.ExecuteAction ? (action.verb ?? '') : String((data as { verb?: unknown } | undefined)?.verb ?? '');
      act.current?.({ verb, data: { ...(data ?? {}) } });
    };
    ac.parse(card);
    const rendered = ac.render();
    el.replaceChildren();
    if (rendered) el.appendChild(rendered);
    return () => el.replaceChildren();
  }, [card, theme]);
  return <div ref={host} className={useStyles().card} role="region" aria-label={label ?? 'Card'} />;
}
