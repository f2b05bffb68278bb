import { Page } from '../components/page';
import { Empty } from '../components/states';
import type { PageProps } from './registry';

export default function InboxesPage(_props: PageProps) {
  return (
    <Page title="Demo inboxes">
      <Empty title="Nothing here yet." />
    </Page>
  );
}
