import { Page } from '../components/page';
import { Empty } from '../components/states';
import type { PageProps } from './page-props';

export default function PoliciesPage(_props: PageProps) {
  return (
    <Page title="Policies">
      <Empty title="Nothing here yet." />
    </Page>
  );
}
