import type { Clock } from '../../ports/clock';
import type { StaffMember } from '../../domain/people';
import type { AccountRequestService } from '../../services/account-requests.service';
import type { CampaignService } from '../../services/campaigns.service';
import type { DeclarationService } from '../../services/declarations.service';
import type { DemoInboxService } from '../../services/demo-inbox.service';
import type { ReceiptService } from '../../services/receipt.service';
import type { RolesService } from '../../services/roles.service';
import type { Directory } from '../../ports/directory';
import type { IdSource } from '../../ports/ids';
import type { AppStore } from '../app-store';

/** What the tab API's routes may call: the same services the bot calls, built once in the composition root. */
export interface ApiDeps {
  requests: AccountRequestService;
  declarations: DeclarationService;
  campaigns: CampaignService;
  roles: RolesService;
  receipts: ReceiptService;
  directory: Directory;
  /** For reads no service offers yet (lists that page on the server). Changes go through the services. */
  store: AppStore;
  clock: Clock;
  ids: IdSource;
  timeZone: string;
  schoolName: string;
  /** Embedded mode: demo inboxes and dev sign-in. */
  embedded: boolean;
  inbox?: DemoInboxService;
  /** Writes a CSV export and gives its signed download link. */
  saveExport(file: string, csv: string): { path: string; link: string };
  /** A person's signed link to the full text of a policy version. */
  policyLink(userId: string, versionId: string): string;
  /** A card button pressed in the tab, run by the bot's own verb handler as `actor`; answers the card that replaces it. */
  cardAction(actor: StaffMember, verb: string, data: Record<string, unknown>): Promise<object>;
  log(msg: string): void;
}
