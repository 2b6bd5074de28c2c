import { Label } from '@patternfly/react-core';
import type { LabelProps } from '@patternfly/react-core';
import type { ClusterState, Outcome, Phase } from '../api/types';
import type { TFunction } from '../i18n';
import { useHubTranslation } from '../i18n';

export const PHASE_ORDER: Phase[] = [
  'Validating',
  'Initializing',
  'Deploying',
  'Registering',
  'Cleaning',
];

export const CLUSTER_STATES: ClusterState[] = [
  'Pending',
  'Initialized',
  'Deployed',
  'Registering',
  'Registered',
  'Cleaned',
  'RollingBack',
  'RolledBack',
  'Failed',
];

export const phaseLabel = (t: TFunction, phase: Phase): string => {
  switch (phase) {
    case 'Pending':
      return t('Pending');
    case 'Validating':
      return t('Validating');
    case 'Initializing':
      return t('Initializing');
    case 'Deploying':
      return t('Deploying');
    case 'Registering':
      return t('Registering');
    case 'Rollbacking':
      return t('Rolling back');
    case 'Cleaning':
      return t('Cleaning up');
    case 'Completed':
      return t('Completed');
    case 'Failed':
      return t('Failed');
  }
};

export const outcomeLabel = (t: TFunction, outcome: Outcome): string => {
  switch (outcome) {
    case 'Running':
      return t('Running');
    case 'Queued':
      return t('Queued');
    case 'Completed':
      return t('Completed');
    case 'Failed':
      return t('Failed');
    case 'RolledBack':
      return t('Rolled back');
    case 'Partial':
      return t('Partly completed');
  }
};

export const clusterStateLabel = (t: TFunction, state: ClusterState): string => {
  switch (state) {
    case 'Pending':
      return t('Not started');
    case 'Initialized':
      return t('Initialized');
    case 'Deployed':
      return t('Deployed');
    case 'Registering':
      return t('Registering');
    case 'Registered':
      return t('Registered');
    case 'Cleaned':
      return t('Migrated');
    case 'RollingBack':
      return t('Rolling back');
    case 'RolledBack':
      return t('Rolled back');
    case 'Failed':
      return t('Failed');
  }
};

const outcomeStatus: Record<Outcome, Pick<LabelProps, 'status' | 'color'>> = {
  Running: { color: 'blue' },
  Queued: { color: 'grey' },
  Completed: { status: 'success' },
  Failed: { status: 'danger' },
  RolledBack: { status: 'warning' },
  Partial: { status: 'warning' },
};

export const clusterStateStatus = (state: ClusterState): Pick<LabelProps, 'status' | 'color'> => {
  switch (state) {
    case 'Cleaned':
    case 'Registered':
      return { status: 'success' };
    case 'Failed':
      return { status: 'danger' };
    case 'RolledBack':
    case 'RollingBack':
      return { status: 'warning' };
    case 'Pending':
      return { color: 'grey' };
    default:
      return { color: 'blue' };
  }
};

export const OutcomeLabel = ({ outcome, phase }: { outcome: Outcome; phase?: Phase }) => {
  const { t } = useHubTranslation();
  const text = outcome === 'Running' && phase ? phaseLabel(t, phase) : outcomeLabel(t, outcome);
  return (
    <Label isCompact {...outcomeStatus[outcome]}>
      {text}
    </Label>
  );
};

export const ClusterStateLabel = ({ state }: { state: ClusterState }) => {
  const { t } = useHubTranslation();
  return (
    <Label isCompact {...clusterStateStatus(state)}>
      {clusterStateLabel(t, state)}
    </Label>
  );
};
