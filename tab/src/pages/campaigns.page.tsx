import { Button } from '@fluentui/react-components';
import { Page } from '../components/page';
import { CampaignList } from './campaigns/campaign-list';
import { Dashboard } from './campaigns/dashboard';
import { LaunchForm } from './campaigns/launch-form';
import { usePrintStyles } from './campaigns/print';
import type { PageProps } from './page-props';

/**
 * Campaigns (policy admins): the list, newest first; `#/campaigns/new` launches one; `#/campaigns/<id>`
 * is its live dashboard, which prints as the governors' summary.
 */
export default function CampaignsPage({ me, path, navigate }: PageProps) {
  usePrintStyles();
  const tz = me.school.timeZone;
  const [first] = path;
  if (first === 'new') {
    return (
      <Page title="Launch a campaign">
        <LaunchForm onLaunched={(id) => navigate(`campaigns/${encodeURIComponent(id)}`)} onCancel={() => navigate('campaigns')} />
      </Page>
    );
  }
  if (first) {
    return (
      <Page title="Campaign">
        <Dashboard id={decodeURIComponent(first)} timeZone={tz} onBack={() => navigate('campaigns')} />
      </Page>
    );
  }
  return (
    <Page
      title="Campaigns"
      actions={
        <Button appearance="primary" onClick={() => navigate('campaigns/new')} data-print="hide">
          Launch a campaign
        </Button>
      }
    >
      <CampaignList timeZone={tz} open={(id) => navigate(`campaigns/${encodeURIComponent(id)}`)} />
    </Page>
  );
}
