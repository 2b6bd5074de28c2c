import {
  Flex,
  FlexItem,
  Icon,
  ProgressStep,
  ProgressStepper,
  Tooltip,
} from '@patternfly/react-core';
import {
  CheckCircleIcon,
  ExclamationCircleIcon,
  InProgressIcon,
  OutlinedCircleIcon,
  UndoIcon,
} from '@patternfly/react-icons';
import type { ProgressStepProps } from '@patternfly/react-core';
import { useId } from 'react';
import type { MigrationSummary, Phase, PhaseStep } from '../api/types';
import type { TFunction } from '../i18n';
import { useHubTranslation } from '../i18n';
import { formatDateTime, formatDuration, secondsBetween } from '../utils/format';
import { PHASE_ORDER, phaseLabel } from './labels';

/** The steps of a migration known only by its summary (the list has no per-phase times). */
export const phasesFromSummary = (m: Pick<MigrationSummary, 'phase' | 'outcome'>): PhaseStep[] => {
  const current = PHASE_ORDER.indexOf(m.phase);
  const finished = m.phase === 'Completed';
  const failed = m.phase === 'Failed' || m.phase === 'Rollbacking';
  const steps: PhaseStep[] = PHASE_ORDER.map((phase, i) => ({
    phase,
    state: finished
      ? 'done'
      : current < 0
        ? failed
          ? 'skipped'
          : 'pending'
        : i < current
          ? 'done'
          : i === current
            ? 'running'
            : 'pending',
  }));
  if (failed) {
    steps.push({ phase: 'Rollbacking', state: m.phase === 'Rollbacking' ? 'running' : 'done' });
  }
  return steps;
};

const variantOf = (state: PhaseStep['state']): ProgressStepProps['variant'] => {
  switch (state) {
    case 'done':
      return 'success';
    case 'running':
      return 'info';
    case 'failed':
      return 'danger';
    case 'skipped':
      return 'default';
    default:
      return 'pending';
  }
};

const stateText = (t: TFunction, state: PhaseStep['state']): string => {
  switch (state) {
    case 'done':
      return t('done');
    case 'running':
      return t('in progress');
    case 'failed':
      return t('failed');
    case 'skipped':
      return t('skipped');
    default:
      return t('not started');
  }
};

const iconOf = (step: PhaseStep) => {
  if (step.phase === 'Rollbacking') return <UndoIcon />;
  switch (step.state) {
    case 'done':
      return <CheckCircleIcon />;
    case 'running':
      return <InProgressIcon />;
    case 'failed':
      return <ExclamationCircleIcon />;
    default:
      return <OutlinedCircleIcon />;
  }
};

const iconStatus = (step: PhaseStep): 'success' | 'info' | 'danger' | 'warning' | undefined => {
  if (step.phase === 'Rollbacking') return 'warning';
  if (step.state === 'done') return 'success';
  if (step.state === 'running') return 'info';
  if (step.state === 'failed') return 'danger';
  return undefined;
};

type Props = {
  steps: PhaseStep[];
  /** Compact: for table rows (no descriptions). */
  compact?: boolean;
  /** Start of the running step and the stage timeout, to show elapsed time against it. */
  stageTimeout?: string;
  now?: number;
  ariaLabel?: string;
};

export const PhaseStepper = ({ steps, compact, stageTimeout, now, ariaLabel }: Props) => {
  const { t, i18n } = useHubTranslation();
  const id = useId();
  const label = (phase: Phase) => phaseLabel(t, phase);
  if (compact) {
    // A pipeline small enough for a table row: one icon per phase, named for screen readers.
    return (
      <Flex
        spaceItems={{ default: 'spaceItemsXs' }}
        flexWrap={{ default: 'nowrap' }}
        role="list"
        aria-label={ariaLabel ?? t('Migration phases')}
      >
        {steps.map((step) => {
          const text = t('{{phase}}: {{state}}', {
            phase: label(step.phase),
            state: stateText(t, step.state),
          });
          return (
            <FlexItem key={step.phase} role="listitem">
              <Tooltip content={text}>
                <Icon size="sm" status={iconStatus(step)} aria-label={text} role="img" tabIndex={0}>
                  {iconOf(step)}
                </Icon>
              </Tooltip>
            </FlexItem>
          );
        })}
      </Flex>
    );
  }
  return (
    <ProgressStepper isCenterAligned aria-label={ariaLabel ?? t('Migration phases')}>
      {steps.map((step) => {
        const seconds =
          step.seconds ??
          (step.state === 'running' ? secondsBetween(step.started, now) : undefined);
        const description = (
          <>
            {step.started && <div>{formatDateTime(step.started, i18n.language)}</div>}
            {seconds !== undefined && (
              <div>
                {step.state === 'running' && stageTimeout
                  ? t('{{elapsed}} of {{timeout}} allowed', {
                      elapsed: formatDuration(t, seconds),
                      timeout: stageTimeout,
                    })
                  : formatDuration(t, seconds)}
              </div>
            )}
          </>
        );
        return (
          <ProgressStep
            key={step.phase}
            id={`${id}-${step.phase}`}
            titleId={`${id}-${step.phase}-title`}
            variant={variantOf(step.state)}
            isCurrent={step.state === 'running'}
            description={description}
            aria-label={t('{{phase}}: {{state}}', {
              phase: label(step.phase),
              state: stateText(t, step.state),
            })}
          >
            {label(step.phase)}
          </ProgressStep>
        );
      })}
    </ProgressStepper>
  );
};
