import {
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadMain,
  Nav,
  NavItem,
  NavList,
  Page,
  PageSidebar,
  PageSidebarBody,
  Spinner,
  Bullseye,
  ToggleGroup,
  ToggleGroupItem,
  Content,
} from '@patternfly/react-core';
import type { ComponentType } from 'react';
import { lazy, Suspense, useMemo, useState } from 'react';
import type { i18n as i18nInstance } from 'i18next';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { I18N_NAMESPACE } from '../const';
import { useHubTranslation } from '../i18n';
import { labelKey, navItems, resolveCodeRef, routes } from './extensions';

type Perspective = 'admin' | 'acm';

const pageFor = (ref: string) =>
  lazy(async () => ({ default: (await resolveCodeRef(ref)) as ComponentType }));

const translateLabel = (i18n: i18nInstance, label: string) =>
  i18n.getFixedT(null, I18N_NAMESPACE)(labelKey(label));

export const HarnessApp = () => {
  const { t, i18n } = useHubTranslation();
  const location = useLocation();
  const [perspective, setPerspective] = useState<Perspective>('acm');
  const pages = useMemo(
    () =>
      routes.flatMap((r) =>
        (Array.isArray(r.properties.path) ? r.properties.path : [r.properties.path]).map(
          (path) => ({
            path,
            Component: pageFor(r.properties.component.$codeRef),
          }),
        ),
      ),
    [],
  );
  const items = navItems.filter((n) => (n.properties.perspective ?? 'admin') === perspective);

  const masthead = (
    <Masthead>
      <MastheadMain>
        {/* Text only: PatternFly 6's masthead is light, and an image brand sized itself to 150 px. */}
        <MastheadBrand>
          <Content component="p">
            <strong>{t('OpenShift console')}</strong> · {t('standalone harness')}
          </Content>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent />
    </Masthead>
  );
  const sidebar = (
    <PageSidebar>
      <PageSidebarBody>
        <ToggleGroup aria-label={t('Perspective')} isCompact>
          <ToggleGroupItem
            text={t('Fleet Management')}
            buttonId="perspective-acm"
            isSelected={perspective === 'acm'}
            onChange={() => setPerspective('acm')}
          />
          <ToggleGroupItem
            text={t('Administrator')}
            buttonId="perspective-admin"
            isSelected={perspective === 'admin'}
            onChange={() => setPerspective('admin')}
          />
        </ToggleGroup>
      </PageSidebarBody>
      <PageSidebarBody>
        <Nav aria-label={t('Navigation')}>
          <NavList>
            {items.map((n) => (
              <NavItem
                key={n.properties.id}
                isActive={
                  location.pathname === n.properties.href ||
                  (n.properties.startsWith ?? []).some((p) => location.pathname.startsWith(`/${p}`))
                }
              >
                <Link to={n.properties.href} data-test={`nav-${n.properties.id}`}>
                  {translateLabel(i18n, n.properties.name)}
                </Link>
              </NavItem>
            ))}
          </NavList>
        </Nav>
      </PageSidebarBody>
    </PageSidebar>
  );

  return (
    <Page masthead={masthead} sidebar={sidebar} isManagedSidebar>
      <Suspense
        fallback={
          <Bullseye>
            <Spinner aria-label={t('Loading')} />
          </Bullseye>
        }
      >
        <Routes>
          {pages.map(({ path, Component }) => (
            <Route key={path} path={path} element={<Component />} />
          ))}
          <Route path="*" element={<Navigate to={navItems[0]?.properties.href ?? '/'} replace />} />
        </Routes>
      </Suspense>
    </Page>
  );
};
