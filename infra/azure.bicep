// Countersign on Azure: one Linux web app serves the bot (/api/messages) and the tab (/tab/).
// Deployed by the arm/deploy step of ../teamsapp.yml with azure.parameters.json, whose ${{NAME}} values the
// Toolkit fills from env/.env.<env> and env/.env.<env>.user. Outputs are written back to env/.env.<env> under
// their own names (https://aka.ms/teamsfx-actions/arm-deploy). Layout after the Toolkit's own bot template
// (OfficeDev/microsoft-365-agents-toolkit, templates/vsc/ts/default-bot/infra/azure.bicep): the bot signs in
// with a user-assigned managed identity, so there is no bot password to create, store or rotate.

@minLength(4)
@maxLength(20)
@description('Base for every resource name; the web app name must be globally unique.')
param resourceBaseName string

param location string = resourceGroup().location

@description('App Service plan SKU. B1 or above: Always On is not available on F1.')
param webAppSku string = 'B1'

// Each instance runs the job queue's worker against the shared SharePoint store; leases keep a job to one
// instance at a time. Teams' send ceiling is not yet shared between instances (issue 13), so more than one
// instance can send faster than Teams allows during a campaign: keep 1 until that lands. Basic plans allow 3.
@minValue(1)
@maxValue(30)
@description('App Service instances (the plan\'s capacity). Above 1, each also needs the health check to be useful: App Service takes an instance whose /readyz fails out of rotation.')
param instanceCount int = 1

@maxLength(42)
param botDisplayName string = 'Countersign'

param botServiceSku string = 'F0'

@description('Client id of the Entra app behind Teams SSO and app-only Graph (AAD_APP_CLIENT_ID, written by aadApp/create).')
param ssoAadAppClientId string

@description('Tenant of that app: the school\'s Microsoft 365 tenant (AAD_APP_TENANT_ID, written by aadApp/create).')
param ssoAadAppTenantId string

@secure()
@description('Client secret of that app (SECRET_AAD_APP_CLIENT_SECRET in env/.env.<env>.user): Graph app-only tokens for the SharePoint lists.')
param ssoAadAppClientSecret string

@description('Where Entra publishes signing keys (AAD_APP_OAUTH_AUTHORITY_HOST, written by aadApp/create).')
param aadAppOauthAuthorityHost string = 'https://login.microsoftonline.com'

@secure()
@description('32+ random characters that sign per-person links in cards (SECRET_LINK_SIGNING_SECRET in env/.env.<env>.user).')
param linkSigningSecret string

@minLength(1)
@maxLength(40)
@description('The school\'s id (SCHOOL_ID): a short, stable slug stamped on every record, e.g. larkfield-primary.')
param schoolId string

@description('The school\'s name as staff know it (SCHOOL_NAME).')
param schoolName string = ''

@description('IANA time zone for dates shown to people and for school days (SCHOOL_TIMEZONE).')
param schoolTimeZone string = 'Europe/London'

@description('The Teams app\'s manifest id (TEAMS_APP_ID, written by teamsApp/create): the app installs itself for people who have never opened it.')
param teamsAppId string

@description('The Entra group whose members are the staff (STAFF_GROUP_ID): the roster is synced from it. Empty: no sync (staff come from a CSV import).')
param staffGroupId string = ''

@description('The first policy admins (COUNTERSIGN_ADMINS): e-mail addresses or object ids, comma-separated. Used while the school has no policy admin.')
param countersignAdmins string = ''

@description('The SharePoint site that holds the lists (SHAREPOINT_SITE_URL), e.g. https://contoso.sharepoint.com/sites/countersign.')
param sharePointSiteUrl string

var storageName = toLower(take(replace('${resourceBaseName}st${uniqueString(resourceGroup().id)}', '-', ''), 24))
// Where the app writes campaign exports: /home is App Service's persistent, writable share; the app's own
// folder is a read-only mount when it runs from the deployed package (WEBSITE_RUN_FROM_PACKAGE=1).
var dataDir = '/home/countersign-data'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: resourceBaseName
  location: location
}

resource logs 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: resourceBaseName
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: resourceBaseName
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

// For the scaled mode's job queue (COUNTERSIGN_MODE=scaled), which the server does not use yet. No shared keys:
// the managed identity will reach it with the role Storage Queue Data Contributor, assigned when that mode ships;
// a role assignment here would make provisioning need Owner rather than Contributor on the resource group.
resource storage 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: storageName
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
  }
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices@2023-01-01' = {
  parent: storage
  name: 'default'
}

resource jobQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-01-01' = {
  parent: queues
  name: 'countersign-jobs'
}

resource plan 'Microsoft.Web/serverfarms@2022-09-01' = {
  name: resourceBaseName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
    capacity: instanceCount
  }
  properties: {
    reserved: true // required for a Linux plan
  }
}

resource webApp 'Microsoft.Web/sites@2022-09-01' = {
  name: resourceBaseName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      alwaysOn: true // the job queue's worker, campaign sends and reminders run in-process
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      // The bundle is built before the zip deploy (teamsapp.yml: npm run build:server, build:tab). Building at
      // boot would write into the package, which App Service mounts read-only (WEBSITE_RUN_FROM_PACKAGE=1).
      appCommandLine: 'node --enable-source-maps dist/server.mjs'
      // Readiness, not liveness: App Service stops routing to an instance whose store or job queue does not answer
      // (and, on SIGTERM, to one shutting down), and replaces one that keeps failing. /healthz is the liveness probe.
      healthCheckPath: '/readyz'
      appSettings: [
        {
          name: 'COUNTERSIGN_MODE'
          value: 'm365'
        }
        {
          name: 'STORE'
          value: 'sharepoint'
        }
        {
          name: 'DATA_DIR'
          value: dataDir
        }
        {
          name: 'EXPORT_DIR'
          value: '${dataDir}/exports'
        }
        {
          name: 'SCHOOL_ID'
          value: schoolId
        }
        {
          name: 'SCHOOL_NAME'
          value: schoolName
        }
        {
          name: 'SCHOOL_TIMEZONE'
          value: schoolTimeZone
        }
        {
          name: 'COUNTERSIGN_ADMINS'
          value: countersignAdmins
        }
        {
          name: 'TEAMS_APP_ID'
          value: teamsAppId
        }
        {
          name: 'STAFF_GROUP_ID'
          value: staffGroupId
        }
        {
          // The bot signs in as the managed identity: Bot Framework's UserAssignedMSI app type, id = its client id.
          name: 'BOT_TYPE'
          value: 'UserAssignedMSI'
        }
        {
          name: 'BOT_ID'
          value: identity.properties.clientId
        }
        {
          // Also the tenant whose people may use the tab and the bot: the managed identity's tenant must be the
          // school's Microsoft 365 tenant (README, "Deploy to your tenant").
          name: 'BOT_TENANT_ID'
          value: identity.properties.tenantId
        }
        {
          // Teams SSO: the tab's API accepts tokens for this app only. SSO_AUDIENCES is left to its default,
          // this id and api://<PUBLIC_URL host>/<this id> (the manifest's webApplicationInfo.resource).
          name: 'AAD_APP_CLIENT_ID'
          value: ssoAadAppClientId
        }
        {
          name: 'AAD_APP_OAUTH_AUTHORITY_HOST'
          value: aadAppOauthAuthorityHost
        }
        {
          name: 'PUBLIC_URL'
          value: 'https://${resourceBaseName}.azurewebsites.net'
        }
        {
          name: 'LINK_SIGNING_SECRET'
          value: linkSigningSecret
        }
        {
          name: 'SHAREPOINT_SITE_URL'
          value: sharePointSiteUrl
        }
        {
          name: 'GRAPH_TENANT_ID'
          value: ssoAadAppTenantId
        }
        {
          // The SSO app also holds the application permission Sites.Selected: one registration to consent to.
          name: 'GRAPH_CLIENT_ID'
          value: ssoAadAppClientId
        }
        {
          name: 'GRAPH_CLIENT_SECRET'
          value: ssoAadAppClientSecret
        }
        {
          // V8 limits measured by bench:campaign: a 30,000-card campaign stays under 200 MB RSS.
          name: 'NODE_OPTIONS'
          value: '--max-old-space-size=96 --max-semi-space-size=1'
        }
        {
          name: 'WEBSITE_RUN_FROM_PACKAGE'
          value: '1'
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: insights.properties.ConnectionString
        }
        {
          // Codeless Node.js monitoring on Linux App Service (learn.microsoft.com, "Application monitoring
          // for Azure App Service and Node.js").
          name: 'ApplicationInsightsAgent_EXTENSION_VERSION'
          value: '~3'
        }
      ]
    }
  }
}

var appHost = webApp.properties.defaultHostName

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: resourceBaseName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: botServiceSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${appHost}/api/messages'
    msaAppId: identity.properties.clientId
    msaAppTenantId: identity.properties.tenantId
    msaAppType: 'UserAssignedMSI'
    msaAppMSIResourceId: identity.id
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

// The Toolkit writes these outputs to env/.env.<env> under the same names; the project file, the app
// manifest and aad.manifest.json read them from there.
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_ID string = identity.properties.clientId
output BOT_TENANT_ID string = identity.properties.tenantId
output BOT_DOMAIN string = appHost
output TAB_DOMAIN string = appHost
output TAB_ENDPOINT string = 'https://${appHost}'
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.properties.primaryEndpoints.queue
output AZURE_STORAGE_QUEUE_NAME string = jobQueue.name
