import type { Verb } from '../src/cards/verbs';
import type { Feature, Handler, TextCommand } from './features/feature';

/** A chat message read as a command: its first word, lower-cased, and the words after it. */
export interface ParsedText {
  command: string;
  args: string[];
}

/** Reads typed text the way people type it: "Status", "status.", "@Countersign campaign export". */
export function parseText(text: string): ParsedText {
  const [word, ...args] = text.replace(/<[^>]+>/g, '').trim().split(/\s+/);
  return { command: (word ?? '').toLowerCase().replace(/[^a-z]/g, ''), args };
}

/**
 * The route table: every card verb to its handler, and every text command to a
 * verb. Built once from the features; a verb or word claimed twice is a bug,
 * caught at start-up.
 */
export class Routes {
  private readonly verbs = new Map<string, Handler>();
  private readonly commands = new Map<string, TextCommand>();

  constructor(features: Feature[]) {
    for (const f of features) {
      for (const [verb, handler] of Object.entries(f.verbs)) {
        if (this.verbs.has(verb)) throw new Error(`verb ${verb} has two handlers`);
        this.verbs.set(verb, handler!);
      }
      for (const [word, command] of Object.entries(f.commands ?? {})) {
        if (this.commands.has(word)) throw new Error(`text command ${word} has two handlers`);
        this.commands.set(word, command);
      }
    }
  }

  /** The handler for a card verb, from Action.Execute or an Action.Submit fallback. */
  forVerb(verb: string): Handler | undefined {
    return this.verbs.get(verb);
  }

  /** The verb a typed command stands for, if any. */
  verbFor({ command, args }: ParsedText): Verb | undefined {
    const c = this.commands.get(command);
    if (!c) return undefined;
    const sub = (args[0] ?? '').toLowerCase();
    // Own keys only: "campaign constructor" must not find Object.prototype.constructor.
    return c.sub && Object.hasOwn(c.sub, sub) ? c.sub[sub] : c.verb;
  }
}
