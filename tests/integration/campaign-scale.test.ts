import { campaignAtScale } from '../support/campaign-scale';

campaignAtScale(2000);
