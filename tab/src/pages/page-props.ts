import type { MeResponse } from '../../../src/contract/api';
import type { ThemeName } from '../teams';

/** What every page is given: who is signed in, the rest of the address after the page's name, the theme, and a way to move. */
export interface PageProps {
  me: MeResponse;
  /** Path segments after the page id: `#/approvals/abc` gives ['abc']. */
  path: string[];
  theme: ThemeName;
  navigate(to: string): void;
  /** The demo's "act as this person" (Demo inboxes): switches the signed-in person. */
  signInAs?(personId: string): Promise<void>;
}
