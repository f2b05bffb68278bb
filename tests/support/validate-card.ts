import * as AC from 'adaptivecards';

/**
 * Validates a card with the adaptivecards parser, as a client would parse it:
 * parse errors and warnings, then property validation. Returns the messages.
 */
export function cardProblems(json: unknown): string[] {
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  card.parse(json, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) {
    const e = ctx.getEventAt(i);
    problems.push(`parse: ${e.message}`);
  }
  for (const e of card.validateProperties().validationEvents) problems.push(`validate: ${e.message}`);
  return problems;
}

/** Every TextBlock's text in a card, to prove user text never reaches a markdown-rendering element. */
export function textBlocks(json: any): string[] {
  const out: string[] = [];
  const walk = (n: any) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    if (n.type === 'TextBlock' && typeof n.text === 'string') out.push(n.text);
    Object.values(n).forEach(walk);
  };
  walk(json);
  return out;
}

/** Every action in a card (top-level and in ActionSets), with verb and data. */
export function actionsOf(json: any): any[] {
  const out: any[] = [];
  if (!json || typeof json !== 'object') return out;
  const walk = (n: any) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    if (typeof n.type === 'string' && n.type.startsWith('Action.') && n !== json.refresh?.action) out.push(n);
    for (const [k, v] of Object.entries(n)) if (k !== 'fallback') walk(v);
  };
  walk(json.body);
  walk(json.actions);
  return out;
}

export const verbsOf = (json: any): string[] => actionsOf(json).filter((a) => a.type === 'Action.Execute').map((a) => a.verb);

/** Input ids in a card, with their pre-filled values. */
export function inputValues(json: any): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const walk = (n: any) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    if (typeof n.type === 'string' && n.type.startsWith('Input.')) out[n.id] = n.value;
    Object.values(n).forEach(walk);
  };
  walk(json.body);
  return out;
}

/** All visible text in a card, flattened: TextBlocks and TextRuns. */
export function allText(json: any): string {
  const out: string[] = [];
  const walk = (n: any) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    if ((n.type === 'TextBlock' || n.type === 'TextRun') && typeof n.text === 'string') out.push(n.text);
    Object.values(n).forEach(walk);
  };
  walk(json);
  return out.join('\n').replace(/\u200B/g, '');
}
