import {
  Alert,
  AlertActionLink,
  EmptyState,
  EmptyStateBody,
  EmptyStateFooter,
  Button,
} from '@patternfly/react-core';
import { ExclamationCircleIcon, LockIcon } from '@patternfly/react-icons';
import type { ApiFailure } from '../api/client';
import type { TFunction } from '../i18n';
import { useHubTranslation } from '../i18n';

/** A title in plain words for a failed call, by kind of failure. */
export const failureTitle = (t: TFunction, error: ApiFailure, action?: string): string => {
  if (error.reason === 'Network' || error.status === 0)
    return t('Cannot reach the Hub Migration service');
  if (error.status === 401) return t('Your session has expired');
  if (error.status === 403) return t('You are not allowed to do this');
  if (error.status === 404) return t('Not found');
  if (error.status === 409) return t('Someone else changed this first');
  if (error.status === 503) return t('The Hub Migration service is not ready');
  return action ? t('Could not {{action}}', { action }) : t('Something went wrong');
};

/** What to do next, when the BFF's own message does not say. */
const nextStep = (t: TFunction, error: ApiFailure): string | undefined => {
  if (error.reason === 'Network' || error.status === 0)
    return t('Check that the hub-migration backend pod is running, then try again.');
  if (error.status === 401) return t('Reload the page to log in again.');
  if (error.status === 403)
    return t(
      'Ask a cluster administrator for access to ManagedClusterMigrations on the global hub.',
    );
  if (error.status === 409) return t('Reload to see the latest state, then try again.');
  if (error.status >= 500)
    return t('Try again in a moment. If it keeps failing, check the backend logs.');
  return undefined;
};

type Props = { error: ApiFailure; action?: string; onRetry?: () => void; isInline?: boolean };

export const ApiErrorAlert = ({ error, action, onRetry, isInline = true }: Props) => {
  const { t } = useHubTranslation();
  const hint = nextStep(t, error);
  return (
    <Alert
      variant="danger"
      isInline={isInline}
      title={failureTitle(t, error, action)}
      actionLinks={
        onRetry ? <AlertActionLink onClick={onRetry}>{t('Try again')}</AlertActionLink> : undefined
      }
      data-test="api-error"
    >
      {error.message && <p>{error.message}</p>}
      {hint && <p>{hint}</p>}
    </Alert>
  );
};

/** A whole page or section that could not load. */
export const ApiErrorState = ({ error, onRetry }: { error: ApiFailure; onRetry?: () => void }) => {
  const { t } = useHubTranslation();
  const hint = nextStep(t, error);
  return (
    <EmptyState
      titleText={failureTitle(t, error)}
      headingLevel="h2"
      icon={error.status === 403 ? LockIcon : ExclamationCircleIcon}
      status={error.status === 403 ? undefined : 'danger'}
      data-test="api-error"
    >
      <EmptyStateBody>
        {error.message && <p>{error.message}</p>}
        {hint && <p>{hint}</p>}
      </EmptyStateBody>
      {onRetry && (
        <EmptyStateFooter>
          <Button variant="primary" onClick={onRetry}>
            {t('Try again')}
          </Button>
        </EmptyStateFooter>
      )}
    </EmptyState>
  );
};
