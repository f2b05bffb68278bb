import type { Policy, PolicyContent } from '../domain/policy';
import { demoSchool } from './demo-school';

/**
 * The demo school's policy, in Countersign's own words (not the schools' seed
 * texts). Two versions, so the demo shows a superseded one.
 */
export const demoPolicy: Policy = { id: 'policy-ict-social-media', schoolId: demoSchool.id, name: 'Acceptable use of ICT and social media' };

const common = {
  policyId: demoPolicy.id,
  title: 'Acceptable use of ICT and social media: staff declaration',
};

export const demoPolicyVersions: Array<{ id: string; content: PolicyContent }> = [
  {
    id: 'policy-ict-social-media-2025',
    content: {
      ...common,
      versionLabel: '2025-26',
      effectiveDate: '2025-09-01',
      reviewDate: '2026-08-31',
      documentUrl: 'https://larkfield.example/policies/ict-and-social-media-2025.pdf',
      summary: 'How staff at Larkfield use school devices, accounts and social media so that pupils, colleagues and the school stay safe.',
      statements: [
        'I will use school devices and accounts for school work, and keep my passwords to myself.',
        'I will only post about the school on accounts the school has approved.',
        'I will not connect with current pupils on my personal social media.',
        'I will report anything that worries me about a child’s safety online to the safeguarding lead the same day.',
      ],
      requireOpenBeforeSign: false,
    },
  },
  {
    id: 'policy-ict-social-media-2026',
    content: {
      ...common,
      versionLabel: '2026-27',
      effectiveDate: '2026-09-01',
      reviewDate: '2027-08-31',
      documentUrl: 'https://larkfield.example/policies/ict-and-social-media-2026.pdf',
      summary:
        'How staff at Larkfield use school devices, accounts, AI tools and social media so that pupils, colleagues and the school stay safe. New this year: generative AI tools and photos taken on trips.',
      statements: [
        'I will use school devices and accounts for school work, and keep my passwords and sign-in codes to myself.',
        'I will only post about the school on accounts the school has approved, and only share photos of pupils whose families have agreed.',
        'I will not connect with current or recent pupils on my personal social media or messaging apps.',
        'I will not put pupils’ personal information into AI tools the school has not approved.',
        'I will report anything that worries me about a child’s safety online to the safeguarding lead the same day.',
      ],
      requireOpenBeforeSign: true,
    },
  },
];
