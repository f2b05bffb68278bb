import { Page } from '../components/page';
import { Empty } from '../components/states';
import type { PageProps } from './page-props';

export default function ApprovalsPage(_props: PageProps) {
  return (
    <Page title="Approvals">
      <Empty title="Nothing here yet." />
    </Page>
  );
}
