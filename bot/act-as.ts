import type { Directory } from '../src/ports/directory';

/** Demo people listed at most; the embedded school has 14. */
const LIST_AT_MOST = 30;

/**
 * Embedded mode only: `as Gareth` makes one Playground chat act as that demo
 * person, so one window can walk the whole flow. Held in memory: a restart
 * returns every chat to its own identity.
 */
export class ActingAs {
  /** conversation id → staff id */
  private readonly byConversation = new Map<string, string>();

  constructor(private readonly directory: Directory) {}

  /** The staff id this chat acts as, if it chose one. */
  staffIdFor(conversationId: string): string | undefined {
    return this.byConversation.get(conversationId);
  }

  /**
   * Answers `as <name>` with a line of text. `echoesTyped` says that the line
   * quotes what the person typed, so it must go out as plain text.
   */
  async choose(conversationId: string, name: string): Promise<{ text: string; echoesTyped: boolean }> {
    const staff = await this.directory.listStaff();
    const wanted = name.toLowerCase().trim();
    const people = staff
      .slice(0, LIST_AT_MOST)
      .map((s) => `${s.name} (${s.jobTitle})`)
      .join('; ');
    if (!wanted) return { text: `Type "as" and a name to act as that person. The demo school has: ${people}.`, echoesTyped: false };
    const match = staff.find((s) => s.name.toLowerCase() === wanted) ?? staff.find((s) => s.name.toLowerCase().split(' ').includes(wanted));
    if (!match) {
      const firstNames = staff.map((s) => s.name.split(' ')[0]).join(', ');
      return { text: `No one called "${name.trim().slice(0, 60)}" in the demo school. Try: ${firstNames}.`, echoesTyped: true };
    }
    this.byConversation.set(conversationId, match.id);
    return { text: `This chat now acts as ${match.name} (${match.jobTitle}). Type "status" to see their requests and approvals.`, echoesTyped: false };
  }
}
