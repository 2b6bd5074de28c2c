import {
  Alert,
  Button,
  ExpandableSection,
  Flex,
  FlexItem,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  TextArea,
} from '@patternfly/react-core';
import { useState } from 'react';
import type { ApiFailure } from '../api/client';
import { api, toApiFailure } from '../api/client';
import type { ReconcileResult } from '../api/types';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { useHubTranslation } from '../i18n';
import { MAX_CLUSTERS, splitNames } from './draft';

type Props = {
  from: string;
  to: string;
  /** Replaces the selection with these names. */
  onUse: (names: string[]) => void;
};

/** Pasted names, checked against the source hub: found, unknown, already on target, duplicates. */
export const PasteTab = ({ from, to, onUse }: Props) => {
  const { t } = useHubTranslation();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ReconcileResult>();
  const [error, setError] = useState<ApiFailure>();
  const names = splitNames(text);

  const check = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await api.reconcile(from, { names, target: to }));
    } catch (err) {
      setError(await toApiFailure(err));
    } finally {
      setBusy(false);
    }
  };

  const group = (title: string, items: string[], test: string) =>
    items.length > 0 && (
      <ExpandableSection toggleText={title} data-test={test}>
        <p>{items.slice(0, 500).join(', ')}</p>
        {items.length > 500 && <p>{t('…and {{count}} more', { count: items.length - 500 })}</p>}
      </ExpandableSection>
    );

  return (
    <Form
      onSubmit={(e) => {
        e.preventDefault();
        void check();
      }}
    >
      <FormGroup label={t('Cluster names')} fieldId="paste-names">
        <TextArea
          id="paste-names"
          value={text}
          onChange={(_e, v) => {
            setText(v);
            setResult(undefined);
          }}
          rows={8}
          resizeOrientation="vertical"
          placeholder={t('One name a line, or separated by commas or spaces')}
        />
        <FormHelperText>
          <HelperText>
            <HelperTextItem>
              {t('{{count}} names pasted', { count: names.length })}
              {names.length > 20000 && ` — ${t('at most 20,000 names can be checked at once')}`}
            </HelperTextItem>
          </HelperText>
        </FormHelperText>
      </FormGroup>
      <Flex>
        <FlexItem>
          <Button
            variant="secondary"
            onClick={() => void check()}
            isDisabled={names.length === 0 || names.length > 20000 || busy}
            isLoading={busy}
          >
            {t('Check names against {{hub}}', { hub: from })}
          </Button>
        </FlexItem>
      </Flex>
      {error && <ApiErrorAlert error={error} action={t('check the names')} />}
      {result && (
        <Alert
          isInline
          variant={
            result.unknown.length || result.invalid.length || result.onTarget.length
              ? 'warning'
              : 'success'
          }
          title={t(
            '{{found}} found, {{unknown}} unknown, {{onTarget}} already on {{to}}, {{duplicates}} duplicates, {{invalid}} not valid names',
            {
              found: result.found.length,
              unknown: result.unknown.length,
              onTarget: result.onTarget.length,
              duplicates: result.duplicates.length,
              invalid: result.invalid.length,
              to,
            },
          )}
          data-test="reconcile-summary"
        >
          {group(
            t('Unknown on {{hub}} ({{count}})', { hub: from, count: result.unknown.length }),
            result.unknown,
            'unknown',
          )}
          {group(
            t('Already on {{hub}} ({{count}})', { hub: to, count: result.onTarget.length }),
            result.onTarget,
            'on-target',
          )}
          {group(
            t('Pasted more than once ({{count}})', { count: result.duplicates.length }),
            result.duplicates,
            'duplicates',
          )}
          {group(
            t('Not valid cluster names ({{count}})', { count: result.invalid.length }),
            result.invalid,
            'invalid',
          )}
          {result.found.length > MAX_CLUSTERS && (
            <p>{t('A migration plan takes at most {{max}} clusters.', { max: MAX_CLUSTERS })}</p>
          )}
          <Button
            variant="primary"
            isDisabled={result.found.length === 0 || result.found.length > MAX_CLUSTERS}
            onClick={() => onUse(result.found)}
          >
            {t('Use the {{count}} found clusters', { count: result.found.length })}
          </Button>
        </Alert>
      )}
    </Form>
  );
};
