import { campaignAtScale } from '../support/campaign-scale';

// The Microsoft 365 mode end to end: SharePoint lists on the local Graph server (5% of Graph requests
// throttled), connector auth on, and 1,900 of the 2,000 people have never opened the app, so each
// card to them starts with the app installing itself (Graph) and reading their chat. Graph's Teams limits
// are scaled ×8 on both sides (a person costs two reads: 120 people a second instead of 15).
campaignAtScale(2000, { store: 'sharepoint', graph: { seed: 5, throttle: { rate: 0.05, retryAfterSeconds: 0 } }, m365: { opened: 100, graphScale: 8 } });
