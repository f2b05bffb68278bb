import { campaignAtScale } from '../support/campaign-scale';

// The same campaign on the SharePoint store (local Graph server, 20% of Graph requests throttled).
campaignAtScale(2000, { store: 'sharepoint', graph: { seed: 5, throttle: { rate: 0.2, retryAfterSeconds: 0 } } });
