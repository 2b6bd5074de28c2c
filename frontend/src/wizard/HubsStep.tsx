import { Alert, Bullseye, Form, FormGroup, List, ListItem, Spinner } from '@patternfly/react-core';
import type { Hub } from '../api/types';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import type { ApiState } from '../hooks/useApi';
import { useHubTranslation } from '../i18n';
import type { Draft } from './draft';
import { HubSelect } from './HubSelect';

const versionParts = (v?: string) => (v ?? '').split('.').map((n) => Number(n) || 0);
const olderThan = (a?: string, b?: string) => {
  const [a1 = 0, a2 = 0] = versionParts(a);
  const [b1 = 0, b2 = 0] = versionParts(b);
  return a1 < b1 || (a1 === b1 && a2 < b2);
};

type Props = {
  hubs: ApiState<Hub[]>;
  draft: Draft;
  setHubs: (from: string | undefined, to: string | undefined) => void;
};

export const HubsStep = ({ hubs, draft, setHubs }: Props) => {
  const { t } = useHubTranslation();
  if (hubs.loading)
    return (
      <Bullseye>
        <Spinner aria-label={t('Loading hubs')} />
      </Bullseye>
    );
  if (hubs.error && !hubs.data)
    return <ApiErrorAlert error={hubs.error} action={t('load the hubs')} onRetry={hubs.reload} />;
  const list = hubs.data ?? [];
  const unusable = (h: Hub) =>
    h.reason ??
    (!h.available
      ? t('Its ManagedCluster is not Available.')
      : !h.connected
        ? t('The service cannot reach its API.')
        : undefined);
  const source = list.find((h) => h.name === draft.from);
  const target = list.find((h) => h.name === draft.to);
  const missing =
    source && target ? source.components.filter((c) => !target.components.includes(c)) : [];

  return (
    <Form>
      <FormGroup label={t('Source hub')} fieldId="source-hub" isRequired>
        <HubSelect
          label={t('Source hub')}
          hubs={list}
          value={draft.from}
          onChange={(v) => setHubs(v, draft.to === v ? undefined : draft.to)}
          disabledReason={unusable}
        />
      </FormGroup>
      <FormGroup label={t('Target hub')} fieldId="target-hub" isRequired>
        <HubSelect
          label={t('Target hub')}
          hubs={list}
          value={draft.to}
          onChange={(v) => setHubs(draft.from, v)}
          disabledReason={(h) => (h.name === draft.from ? t('It is the source hub.') : unusable(h))}
        />
      </FormGroup>
      {source && target && (
        <Alert
          isInline
          variant={
            olderThan(target.acmVersion, source.acmVersion) || missing.length
              ? 'warning'
              : 'success'
          }
          title={t('Compatibility: ACM {{from}} → ACM {{to}}', {
            from: source.acmVersion ?? '?',
            to: target.acmVersion ?? '?',
          })}
          data-test="compatibility"
        >
          <List>
            {olderThan(target.acmVersion, source.acmVersion) && (
              <ListItem>
                {t(
                  'The target runs an older ACM than the source: add-ons and policies may not behave the same.',
                )}
              </ListItem>
            )}
            {missing.map((c) => (
              <ListItem key={c}>
                {t('Component {{component}} is enabled on the source but not on the target.', {
                  component: c,
                })}
              </ListItem>
            ))}
            {!olderThan(target.acmVersion, source.acmVersion) && missing.length === 0 && (
              <ListItem>{t('The target has every component the source uses.')}</ListItem>
            )}
            {target.clusterCount !== undefined && (
              <ListItem>
                {t('The target manages {{count}} clusters today.', { count: target.clusterCount })}
              </ListItem>
            )}
          </List>
        </Alert>
      )}
    </Form>
  );
};
