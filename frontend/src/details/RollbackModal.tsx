import {
  Button,
  Form,
  FormGroup,
  List,
  ListItem,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { useState } from 'react';
import type { ApiFailure } from '../api/client';
import { api, toApiFailure } from '../api/client';
import type { MigrationSummary } from '../api/types';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { useHubTranslation } from '../i18n';
import { progressOf } from '../utils/progress';

type Props = {
  migration: MigrationSummary;
  stageTimeout?: string;
  onClose: () => void;
  onDone: (updated: MigrationSummary) => void;
};

/**
 * Roll back, with the effect on each hub counted by cluster state, confirmed by typing the
 * migration's name.
 */
export const RollbackModal = ({ migration, stageTimeout, onClose, onDone }: Props) => {
  const { t } = useHubTranslation();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure>();
  const p = progressOf(migration.counts, migration.total);
  const affected = migration.total - p.rolledBack;
  const { from, to, name } = migration;
  const matches = typed === name;

  const submit = async () => {
    if (!matches || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      onDone(await api.rollback(migration.namespace, name));
    } catch (err) {
      setError(await toApiFailure(err));
      setBusy(false);
    }
  };

  return (
    <Modal
      variant="medium"
      isOpen
      onClose={onClose}
      aria-labelledby="rollback-title"
      aria-describedby="rollback-body"
      data-test="rollback-modal"
    >
      <ModalHeader
        labelId="rollback-title"
        titleIconVariant="warning"
        title={t('Roll back {{count}} clusters to {{hub}}?', { count: affected, hub: from })}
      />
      <ModalBody id="rollback-body">
        <p>
          {t(
            'Rolling back stops the migration and returns its clusters to {{from}}. It cannot be undone; to move them again you start a new migration.',
            { from },
          )}
        </p>
        <Title headingLevel="h3" size="md">
          {t('On the source hub {{hub}}', { hub: from })}
        </Title>
        <List data-test="impact-source">
          {p.done > 0 && (
            <ListItem>
              {t('{{count}} clusters already migrated re-register to {{hub}}', {
                count: p.done,
                hub: from,
              })}
            </ListItem>
          )}
          {p.inFlight > 0 && (
            <ListItem>
              {t('{{count}} clusters in flight return to {{hub}}', {
                count: p.inFlight,
                hub: from,
              })}
            </ListItem>
          )}
          {p.notStarted > 0 && (
            <ListItem>
              {t('{{count}} clusters not started stay on {{hub}} (dropped from the queue)', {
                count: p.notStarted,
                hub: from,
              })}
            </ListItem>
          )}
          {p.failed > 0 && (
            <ListItem>
              {t('{{count}} failed clusters are returned to {{hub}} as well', {
                count: p.failed,
                hub: from,
              })}
            </ListItem>
          )}
          {p.rolledBack > 0 && (
            <ListItem>
              {t('{{count}} clusters already rolled back are left as they are', {
                count: p.rolledBack,
              })}
            </ListItem>
          )}
        </List>
        <Title headingLevel="h3" size="md">
          {t('On the target hub {{hub}}', { hub: to })}
        </Title>
        <List data-test="impact-target">
          <ListItem>
            {t(
              'The ManagedClusters and their add-on configuration created for {{count}} clusters are removed from {{hub}}',
              {
                count: p.done + p.inFlight + p.failed,
                hub: to,
              },
            )}
          </ListItem>
          <ListItem>
            {t('Policies and applications stop targeting these clusters on {{hub}}', { hub: to })}
          </ListItem>
        </List>
        <p>
          {stageTimeout
            ? t(
                'A rollback is bounded by the stage timeout ({{timeout}}). If it fails, the migration stays Failed and can be rolled back again.',
                {
                  timeout: stageTimeout,
                },
              )
            : t('If the rollback fails, the migration stays Failed and can be rolled back again.')}
        </p>
        <Form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <FormGroup label={t('Type {{name}} to confirm', { name })} fieldId="rollback-confirm">
            <TextInput
              id="rollback-confirm"
              value={typed}
              onChange={(_e, v) => setTyped(v)}
              autoComplete="off"
              aria-describedby="rollback-body"
            />
          </FormGroup>
        </Form>
        {error && <ApiErrorAlert error={error} action={t('roll back')} />}
      </ModalBody>
      <ModalFooter>
        <Button
          variant="danger"
          isDisabled={!matches || busy}
          isLoading={busy}
          onClick={() => void submit()}
        >
          {t('Roll back')}
        </Button>
        <Button variant="link" onClick={onClose}>
          {t('Cancel')}
        </Button>
      </ModalFooter>
    </Modal>
  );
};
