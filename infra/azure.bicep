// Countersign, first version: one Linux web app for bot + tab, and the Azure Bot that routes Teams to it.
// Storage (queue) and Key Vault come next; see README.md.

@minLength(4)
@maxLength(20)
@description('Base for every resource name; the web app name must be globally unique.')
param resourceBaseName string

param location string = resourceGroup().location

@description('App Service plan SKU. B1 or above: Always On is not available on F1.')
param webAppSku string = 'B1'

@maxLength(42)
param botDisplayName string = 'Countersign'

@description('Client id of the bot Entra app (BOT_ID).')
param botAadAppClientId string

@description('Tenant id of the single-tenant bot Entra app (BOT_TENANT_ID).')
param botAadAppTenantId string

@description('Client id of the Entra app behind the tab\'s Teams SSO (AAD_APP_CLIENT_ID, written by aadApp/create).')
param ssoAadAppClientId string

@secure()
@description('Client secret of the bot Entra app; comes from env/.env.<env>.user.')
param botAadAppClientSecret string

param botServiceSku string = 'F0'

@secure()
@description('32+ random characters that sign per-person links in cards (LINK_SIGNING_SECRET).')
param linkSigningSecret string

@minLength(1)
@maxLength(40)
@description('The school\'s id (SCHOOL_ID): a short, stable slug stamped on every record, e.g. larkfield-primary.')
param schoolId string

resource plan 'Microsoft.Web/serverfarms@2022-09-01' = {
  name: resourceBaseName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
  }
  properties: {
    reserved: true // required for a Linux plan
  }
}

resource webApp 'Microsoft.Web/sites@2022-09-01' = {
  name: resourceBaseName
  location: location
  kind: 'app,linux'
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      alwaysOn: true // proactive sends and campaign reminders run in-process
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      appCommandLine: 'npm run serve'
      appSettings: [
        {
          name: 'COUNTERSIGN_MODE'
          value: 'm365'
        }
        {
          name: 'BOT_ID'
          value: botAadAppClientId
        }
        {
          name: 'BOT_TENANT_ID'
          value: botAadAppTenantId
        }
        {
          name: 'BOT_TYPE'
          value: 'SingleTenant'
        }
        {
          name: 'BOT_PASSWORD'
          value: botAadAppClientSecret // moves to a Key Vault reference in the next version
        }
        {
          name: 'LINK_SIGNING_SECRET'
          value: linkSigningSecret // moves to a Key Vault reference with BOT_PASSWORD
        }
        {
          // Stamped on every record; the app refuses to start without it outside embedded mode.
          name: 'SCHOOL_ID'
          value: schoolId
        }
        {
          // The tab's API accepts Teams SSO tokens for this app only; the app refuses to start without it
          // outside embedded mode. Its audiences default to it and api://<PUBLIC_URL host>/<it> (SSO_AUDIENCES).
          name: 'AAD_APP_CLIENT_ID'
          value: ssoAadAppClientId
        }
        {
          // Links in cards point here; the app refuses to start without it outside embedded mode.
          name: 'PUBLIC_URL'
          value: 'https://${resourceBaseName}.azurewebsites.net'
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
    msaAppId: botAadAppClientId
    msaAppTenantId: botAadAppTenantId
    msaAppType: 'SingleTenant'
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

// The Toolkit writes these outputs to env/.env.<env> under the same names.
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = appHost
output TAB_DOMAIN string = appHost
output TAB_ENDPOINT string = 'https://${appHost}'
