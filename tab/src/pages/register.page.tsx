import { Page } from '../components/page';
import { Empty } from '../components/states';
import type { PageProps } from './page-props';

export default function RegisterPage(_props: PageProps) {
  return (
    <Page title="Account register">
      <Empty title="Nothing here yet." />
    </Page>
  );
}
