/**
 * Work that happens after the user has their answer (sending cards to other
 * people). Bot Service gives up on a turn after 10–15 s, so invokes must not
 * wait on fan-out (learn.microsoft.com, "Universal Actions for Adaptive Cards").
 */
export interface Background {
  run(label: string, work: () => Promise<unknown>): void;
}
