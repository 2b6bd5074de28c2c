import {
  Flex,
  FlexItem,
  Form,
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
  Switch,
  TextInput,
} from '@patternfly/react-core';
import { useHubTranslation } from '../i18n';
import type { Draft, TimeoutUnit } from './draft';
import { batchesOf, isDnsName, MAX_CLUSTERS, timeoutProblem } from './draft';

type Props = { draft: Draft; update: (change: Partial<Draft>) => void };

export const BatchesStep = ({ draft, update }: Props) => {
  const { t } = useHubTranslation();
  const batches = batchesOf(draft).length;
  const problem = timeoutProblem(draft);
  const sizeOk =
    Number.isInteger(draft.batchSize) && draft.batchSize >= 1 && draft.batchSize <= MAX_CLUSTERS;
  return (
    <Form>
      <FormGroup label={t('Name')} fieldId="migration-name" isRequired>
        <TextInput
          id="migration-name"
          value={draft.name}
          onChange={(_e, v) => update({ name: v })}
          validated={draft.name && !isDnsName(draft.name) ? 'error' : 'default'}
        />
        <FormHelperText>
          <HelperText>
            <HelperTextItem variant={draft.name && !isDnsName(draft.name) ? 'error' : 'default'}>
              {t(
                'Lower-case letters, digits and dashes, at most 53 characters. Batches are named <name>-1, <name>-2, …',
              )}
            </HelperTextItem>
          </HelperText>
        </FormHelperText>
      </FormGroup>
      {draft.mode === 'list' ? (
        <>
          <FormGroup label={t('Batch size')} fieldId="batch-size" isRequired>
            <TextInput
              id="batch-size"
              type="number"
              min={1}
              max={MAX_CLUSTERS}
              value={String(draft.batchSize)}
              onChange={(_e, v) => update({ batchSize: Math.floor(Number(v)) })}
              validated={sizeOk ? 'default' : 'error'}
            />
            <FormHelperText>
              <HelperText>
                <HelperTextItem variant={sizeOk ? 'default' : 'error'} data-test="batch-preview">
                  {sizeOk
                    ? t(
                        '{{count}} clusters → {{batches}} batches, run one after another, in the order selected',
                        {
                          count: draft.clusters.length,
                          batches,
                        },
                      )
                    : t('Enter a number from 1 to {{max}}.', { max: MAX_CLUSTERS })}
                </HelperTextItem>
              </HelperText>
            </FormHelperText>
          </FormGroup>
          <FormGroup fieldId="approval">
            <Switch
              id="approval"
              label={t('Wait for my approval before each batch after the first')}
              isChecked={draft.approval}
              onChange={(_e, v) => update({ approval: v })}
            />
          </FormGroup>
        </>
      ) : (
        <p>
          {t(
            'A Placement is migrated as one batch: the engine resolves it again when it validates.',
          )}
        </p>
      )}
      <FormGroup label={t('Stage timeout')} fieldId="stage-timeout">
        <Flex>
          <FlexItem>
            <TextInput
              id="stage-timeout"
              type="number"
              min={1}
              value={draft.timeout}
              placeholder={t('default')}
              onChange={(_e, v) => update({ timeout: v })}
              validated={problem ? 'error' : 'default'}
            />
          </FlexItem>
          <FlexItem>
            <FormSelect
              aria-label={t('Stage timeout unit')}
              value={draft.timeoutUnit}
              onChange={(_e, v) => update({ timeoutUnit: v as TimeoutUnit })}
            >
              <FormSelectOption value="m" label={t('minutes')} />
              <FormSelectOption value="h" label={t('hours')} />
            </FormSelect>
          </FlexItem>
        </Flex>
        <FormHelperText>
          <HelperText>
            <HelperTextItem variant={problem ? 'error' : 'default'}>
              {problem === 'format'
                ? t('Enter a whole number.')
                : problem === 'max'
                  ? t('At most 24 hours.')
                  : t(
                      'Default: 5 minutes a stage, 12 minutes for Registering. When a stage runs longer, the migration stops and rolls its clusters back to {{from}}.',
                      {
                        from: draft.from ?? '',
                      },
                    )}
            </HelperTextItem>
          </HelperText>
        </FormHelperText>
      </FormGroup>
    </Form>
  );
};
