import { Page } from '../components/page';
import { Empty } from '../components/states';
import type { PageProps } from './page-props';

export default function CampaignsPage(_props: PageProps) {
  return (
    <Page title="Campaigns">
      <Empty title="Nothing here yet." />
    </Page>
  );
}
