import { Page } from '../components/page';
import { Empty } from '../components/states';
import type { PageProps } from './page-props';

export default function TasksPage(_props: PageProps) {
  return (
    <Page title="My tasks">
      <Empty title="Nothing here yet." />
    </Page>
  );
}
