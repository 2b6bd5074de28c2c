import {
  Button,
  CodeBlock,
  CodeBlockCode,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  ExpandableSection,
  List,
  ListItem,
  Title,
  useWizardContext,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useHubTranslation } from '../i18n';
import { toYamlDocuments } from '../utils/yaml';
import type { Draft } from './draft';
import { batchesOf, resourcesOf, stageTimeout } from './draft';

type Props = { draft: Draft; namespace: string };

export const ReviewStep = ({ draft, namespace }: Props) => {
  const { t } = useHubTranslation();
  const { goToStepById } = useWizardContext();
  const batches = batchesOf(draft);
  const count =
    draft.mode === 'list'
      ? draft.clusters.length
      : (draft.validation?.resolvedClusters.length ?? 0);
  const edit = (step: string, what: string) => (
    <Button
      variant="link"
      isInline
      onClick={() => goToStepById(step)}
      aria-label={t('Edit {{what}}', { what })}
    >
      {t('Edit')}
    </Button>
  );
  const warnings = draft.validation
    ? draft.validation.warnings.length +
      draft.validation.clusters.filter((c) => c.warnings.length).length
    : 0;
  return (
    <>
      <Title headingLevel="h2">{t('Review')}</Title>
      <DescriptionList isHorizontal>
        <DescriptionListGroup>
          <DescriptionListTerm>{t('Hubs')}</DescriptionListTerm>
          <DescriptionListDescription>
            {t('{{from}} → {{to}}', { from: draft.from, to: draft.to })} {edit('hubs', t('hubs'))}
          </DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>{t('Clusters')}</DescriptionListTerm>
          <DescriptionListDescription>
            {draft.mode === 'placement'
              ? t('Placement {{name}} ({{count}} clusters today)', { name: draft.placement, count })
              : t('{{count}} clusters', { count })}{' '}
            {edit('clusters', t('clusters'))}
          </DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>{t('Batches')}</DescriptionListTerm>
          <DescriptionListDescription>
            {draft.mode === 'placement'
              ? t('One migration')
              : t('{{count}} batches of up to {{size}}', {
                  count: batches.length,
                  size: draft.batchSize,
                })}
            {draft.approval && ` · ${t('waits for approval between batches')}`}
            {' · '}
            {stageTimeout(draft)
              ? t('stage timeout {{timeout}}', { timeout: stageTimeout(draft) })
              : t('default stage timeouts')}{' '}
            {edit('batches', t('batches and timeouts'))}
          </DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>{t('Validation')}</DescriptionListTerm>
          <DescriptionListDescription>
            {warnings ? t('Passed with {{count}} warnings', { count: warnings }) : t('Passed')}{' '}
            {edit('validate', t('validation'))}
          </DescriptionListDescription>
        </DescriptionListGroup>
      </DescriptionList>
      <Title headingLevel="h3">{t('Impact')}</Title>
      <List data-test="impact">
        <ListItem>
          {t('{{count}} clusters leave {{from}} and register to {{to}}.', {
            count,
            from: draft.from,
            to: draft.to,
          })}
        </ListItem>
        <ListItem>
          {t('Policies, add-ons and applications bind to them on {{to}} once they join.', {
            to: draft.to,
          })}
        </ListItem>
        <ListItem>
          {t(
            'If a stage fails or times out, that batch rolls back to {{from}}; batches after it do not start.',
            { from: draft.from },
          )}
        </ListItem>
      </List>
      {batches.length > 1 && (
        <ExpandableSection toggleText={t('Batches ({{count}})', { count: batches.length })}>
          <Table variant="compact" aria-label={t('Batches')}>
            <Thead>
              <Tr>
                <Th>{t('Batch')}</Th>
                <Th>{t('Clusters')}</Th>
                <Th>{t('First and last')}</Th>
              </Tr>
            </Thead>
            <Tbody>
              {batches.map((b, i) => (
                <Tr key={i}>
                  <Td dataLabel={t('Batch')}>{`${draft.name}-${i + 1}`}</Td>
                  <Td dataLabel={t('Clusters')}>{b.length}</Td>
                  <Td dataLabel={t('First and last')}>{`${b[0]} … ${b[b.length - 1]}`}</Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        </ExpandableSection>
      )}
      <ExpandableSection toggleText={t('YAML that will be created')} isIndented>
        <CodeBlock aria-label={t('YAML that will be created')}>
          <CodeBlockCode data-test="review-yaml">
            {toYamlDocuments(resourcesOf(draft, namespace))}
          </CodeBlockCode>
        </CodeBlock>
      </ExpandableSection>
    </>
  );
};
