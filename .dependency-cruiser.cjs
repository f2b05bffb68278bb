/**
 * The layering in DESIGN.md, enforced. `npm test` runs this and fails on any error.
 * domain ← services ← (bot, server); adapters implement ports; cards render domain state.
 */
const io = '^(botbuilder|botframework-.*|@microsoft/microsoft-graph-client|@azure/.*|better-sqlite3|express|react|react-dom|@fluentui/.*|@microsoft/teams-js|@azure/storage-queue)$';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing of ours but domain, and no I/O library.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^node_modules/zod/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'domain-no-node-io',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'services-depend-on-ports',
      comment: 'services import only domain, ports and the retry policy (src/resilience): never an adapter, bot/, cards or the server.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: ['^src/(adapters|server|cards)/', '^bot/', '^tab/'] },
    },
    {
      name: 'core-imports-no-io',
      comment: 'domain and services import no botbuilder, Graph, SQLite, express or React.',
      severity: 'error',
      from: { path: '^src/(domain|services)/' },
      to: { path: 'node_modules/', dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: '^node_modules/zod/' },
    },
    {
      name: 'resilience-is-a-leaf',
      comment: 'src/resilience (the one retry policy) is shared by bot/, adapters and services, so it imports nothing of ours and no package.',
      severity: 'error',
      from: { path: '^src/resilience/' },
      to: { pathNot: '^src/resilience/' },
    },
    {
      name: 'adapters-never-import-services',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: ['^src/services/', '^bot/', '^src/server/'] },
    },
    {
      name: 'cards-never-call-services',
      severity: 'error',
      from: { path: '^src/cards/' },
      to: { path: ['^src/services/', '^src/adapters/', '^bot/', '^src/server/'] },
    },
    {
      name: 'bot-reaches-stores-through-services',
      severity: 'error',
      from: { path: '^bot/' },
      to: { path: ['^src/adapters/', '^src/server/'] },
    },
    {
      name: 'tab-talks-http-only',
      comment: 'the tab shares types and card builders, never server code.',
      severity: 'error',
      from: { path: '^tab/' },
      to: { path: ['^src/(server|services|adapters|ports)/', '^bot/'] },
    },
    {
      name: 'botbuilder-only-in-bot-and-wiring',
      severity: 'error',
      from: { pathNot: ['^bot/', '^src/server/'] },
      to: { path: '^node_modules/(botbuilder|botframework-)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
  },
};
