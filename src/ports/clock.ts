/** Time is injected so that workflows and tests never read the wall clock implicitly. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
