import type { AdaptiveCard } from '../../src/cards/ac';
import type { Verb } from '../../src/cards/verbs';
import type { Actor, StaffMember } from '../../src/domain/people';
import type { Directory } from '../../src/ports/directory';
import type { AccountRequestService } from '../../src/services/account-requests.service';
import type { CampaignService } from '../../src/services/campaigns.service';
import type { DeclarationService } from '../../src/services/declarations.service';

/** What a handler knows about the turn: who acts, as established on the server, never from card data. */
export interface Turn {
  actor: Actor & { staff: StaffMember };
  /** From the directory's roles; decides only what the help card lists. The services enforce the rule itself. */
  policyAdmin: boolean;
}

/**
 * One card action or text command: parse the untrusted data with its schema,
 * call a service, answer with a card. Card data is whatever the card (or an
 * older client's Action.Submit) sent; text commands pass `{}`.
 */
export type Handler = (turn: Turn, data: Record<string, unknown>) => Promise<AdaptiveCard>;

/** A text command names a verb; `sub` picks another verb by the next word (e.g. `campaign export`). */
export interface TextCommand {
  verb: Verb;
  sub?: Record<string, Verb>;
}

/** A feature: the verbs it answers and the words a person may type for them. */
export interface Feature {
  verbs: Partial<Record<Verb, Handler>>;
  commands?: Record<string, TextCommand>;
}

/** Everything the features need, injected once by the composition root. */
export interface FeatureDeps {
  requests: AccountRequestService;
  declarations: DeclarationService;
  campaigns: CampaignService;
  directory: Directory;
  schoolName: string;
  policyLink: (userId: string, versionId: string) => string;
  /** Writes a CSV export and returns its path and a signed download link. */
  saveExport: (file: string, csv: string) => { path: string; link: string };
  /** The school's time zone (config `timeZone`, SCHOOL_TIMEZONE): cards show every moment in it. */
  timeZone: string;
  /** Today's date in the school's time zone, `YYYY-MM-DD`. */
  today: () => string;
  log: (msg: string) => void;
}
