import {
  Body1,
  Button,
  Caption1,
  FluentProvider,
  MessageBar,
  MessageBarBody,
  Select,
  Tab,
  TabList,
  Text,
  makeStyles,
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  tokens,
} from '@fluentui/react-components';
import { Suspense, useCallback, useEffect, useState } from 'react';
import type { MeResponse } from '../../src/contract/api';
import { pageRefusal, tabPages, type TabPage } from '../../src/domain/tab-pages';
import { ApiFailure } from './api-client';
import { DevSignInPanel } from './components/dev-sign-in';
import { Page } from './components/page';
import { Failed, Loading } from './components/states';
import { pageComponents } from './pages/registry';
import { devSignIn, howToSignIn, loadMe, type SignIn } from './session';
import { browserTheme, detectTeams, type ThemeName } from './teams';

const themes = { light: teamsLightTheme, dark: teamsDarkTheme, contrast: teamsHighContrastTheme };

const useStyles = makeStyles({
  root: { minHeight: '100vh', boxSizing: 'border-box', backgroundColor: tokens.colorNeutralBackground2, color: tokens.colorNeutralForeground1 },
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  who: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS, minWidth: 0 },
  body: {
    display: 'grid',
    gridTemplateColumns: '200px minmax(0, 1fr)',
    gap: tokens.spacingHorizontalXL,
    padding: tokens.spacingHorizontalL,
    '@media (max-width: 640px)': { gridTemplateColumns: 'minmax(0, 1fr)', gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalS },
  },
  sideNav: { '@media (max-width: 640px)': { display: 'none' } },
  narrowNav: { display: 'none', '@media (max-width: 640px)': { display: 'block' } },
  main: { minWidth: 0 },
  refused: { marginBottom: tokens.spacingVerticalM },
  sideTab: { justifyContent: 'flex-start' },
  narrowSelect: { width: '100%', minWidth: 0 },
});

/** `#/approvals/abc` → ['approvals', 'abc']. */
const readHash = () =>
  window.location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));

export function App() {
  const s = useStyles();
  const [theme, setTheme] = useState<ThemeName>(browserTheme());
  const [signIn, setSignIn] = useState<SignIn | undefined>();
  const [me, setMe] = useState<MeResponse | undefined>();
  const [error, setError] = useState<ApiFailure | Error | undefined>();
  const [needsDevSignIn, setNeedsDevSignIn] = useState(false);
  const [path, setPath] = useState<string[]>(readHash());

  useEffect(() => {
    const onHash = () => setPath(readHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // Outside Teams, follow the browser's light, dark or high-contrast preference as it changes.
  useEffect(() => {
    if (signIn?.kind === 'teams') return;
    const queries = ['(prefers-color-scheme: dark)', '(forced-colors: active)'].map((q) => window.matchMedia?.(q)).filter(Boolean) as MediaQueryList[];
    const update = () => setTheme(browserTheme());
    queries.forEach((q) => q.addEventListener('change', update));
    return () => queries.forEach((q) => q.removeEventListener('change', update));
  }, [signIn]);

  const loadPerson = useCallback(async () => {
    setError(undefined);
    try {
      setMe(await loadMe());
      setNeedsDevSignIn(false);
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 401) setNeedsDevSignIn(true);
      else setError(e as Error);
    }
  }, []);

  useEffect(() => {
    void (async () => {
      const host = await detectTeams();
      if (host) {
        setTheme(host.theme);
        host.onThemeChange(setTheme);
      }
      const how = await howToSignIn(host);
      setSignIn(how);
      if (how.kind === 'teams') return loadPerson();
      if (how.kind === 'dev') {
        const saved = devSignIn.saved();
        if (!saved) return setNeedsDevSignIn(true);
        devSignIn.use(saved, () => setNeedsDevSignIn(true));
        return loadPerson();
      }
    })();
  }, [loadPerson]);

  const signInAs = useCallback(
    async (personId: string) => {
      devSignIn.use(await devSignIn.as(personId), () => setNeedsDevSignIn(true));
      await loadPerson();
    },
    [loadPerson],
  );

  const navigate = useCallback((to: string) => {
    window.location.hash = `#/${to.replace(/^\/+/, '')}`;
  }, []);

  const pages = me?.pages ?? [];
  const current: TabPage | undefined = pages.find((p) => p.id === path[0])?.id ?? pages[0]?.id;
  const Current = current ? pageComponents[current] : undefined;
  // A page named in the address that this person may not use (a Teams static tab, a shared link): say why, once,
  // in the words of the one rule the server applies, rather than silently showing another page.
  const asked = path[0] as TabPage | undefined;
  const refused = me && asked && asked !== current && tabPages.includes(asked) ? pageRefusal({ id: me.person.id, roles: me.person.roles }, asked, { demo: me.demo }) : undefined;

  let content;
  if (error) content = <Failed error={error} retry={loadPerson} />;
  else if (signIn?.kind === 'none') content = <Body1>{signIn.why}</Body1>;
  else if (needsDevSignIn) content = <DevSignInPanel onSignIn={signInAs} />;
  else if (!me) content = <Loading label="Signing you in…" />;
  else if (!Current) content = <Page title="Countersign">Nothing to show.</Page>;
  else
    content = (
      <Suspense fallback={<Loading />}>
        {refused && (
          <MessageBar intent="info" className={s.refused}>
            <MessageBarBody>{`${refused.message} Here is ${pages.find((p) => p.id === current)?.label ?? 'your first page'} instead.`}</MessageBarBody>
          </MessageBar>
        )}
        <Current me={me} path={path[0] === current ? path.slice(1) : []} theme={theme} navigate={navigate} signInAs={me.demo ? signInAs : undefined} />
      </Suspense>
    );

  return (
    // The layout sits on a div of its own: FluentProvider gives its className to every portal it opens
    // (tooltips, dialogs), and a portal 100vh high with a background would cover the page and take its clicks.
    <FluentProvider theme={themes[theme]}>
      <div className={s.root}>
        <header className={s.header}>
          <Text weight="semibold" size={400}>
            Countersign{me ? ` · ${me.school.name}` : ''}
          </Text>
          {me && (
            <div className={s.who}>
              <Caption1>
                {me.person.name}
                {me.demo ? ' (demo)' : ''}
              </Caption1>
              {me.demo && (
                <Button size="small" appearance="subtle" onClick={() => setNeedsDevSignIn(true)}>
                  Switch person
                </Button>
              )}
            </div>
          )}
        </header>
        <div className={s.body}>
          {me && !needsDevSignIn && pages.length > 0 && (
            <nav aria-label="Pages">
              <TabList className={s.sideNav} vertical selectedValue={current} onTabSelect={(_, d) => navigate(String(d.value))}>
                {pages.map((p) => (
                  <Tab key={p.id} value={p.id} className={s.sideTab}>
                    {p.label}
                  </Tab>
                ))}
              </TabList>
              <div className={s.narrowNav}>
                <Select aria-label="Page" value={current} select={{ className: s.narrowSelect }} onChange={(_, d) => navigate(d.value)}>
                  {pages.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.label}
                    </option>
                  ))}
                </Select>
              </div>
            </nav>
          )}
          <main className={s.main}>{content}</main>
        </div>
      </div>
    </FluentProvider>
  );
}
