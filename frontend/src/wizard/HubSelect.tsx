import {
  MenuToggle,
  Select,
  SelectList,
  SelectOption,
  TextInputGroup,
  TextInputGroupMain,
} from '@patternfly/react-core';
import { useId, useState } from 'react';
import type { Hub } from '../api/types';
import { useHubTranslation } from '../i18n';

type Props = {
  label: string;
  hubs: Hub[];
  value?: string;
  onChange: (hub: string) => void;
  /** Why a hub cannot be chosen here (undefined: it can). */
  disabledReason: (hub: Hub) => string | undefined;
};

/** A searchable hub picker: each option tells availability, versions and size. */
export const HubSelect = ({ label, hubs, value, onChange, disabledReason }: Props) => {
  const { t } = useHubTranslation();
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const listId = useId();
  const shown = hubs.filter((h) => h.name.toLowerCase().includes(filter.toLowerCase()));

  const describe = (h: Hub) => {
    const parts = [
      h.available ? t('Available') : t('Not available'),
      h.connected ? t('connected') : t('not connected'),
      h.acmVersion ? t('ACM {{version}}', { version: h.acmVersion }) : t('ACM version unknown'),
      h.clusterCount !== undefined
        ? t('{{count}} clusters', { count: h.clusterCount })
        : t('cluster count unknown'),
    ];
    const reason = disabledReason(h);
    return reason ? `${parts.join(' · ')} — ${reason}` : parts.join(' · ');
  };

  const focusFirstOption = () => {
    const first = document.querySelector<HTMLElement>(`[id="${listId}"] button:not([disabled])`);
    first?.focus();
  };

  return (
    <Select
      isOpen={open}
      selected={value}
      onSelect={(_e, v) => {
        if (typeof v === 'string') {
          onChange(v);
          setFilter('');
        }
        setOpen(false);
      }}
      onOpenChange={setOpen}
      toggle={(ref) => (
        <MenuToggle
          ref={ref}
          variant="typeahead"
          onClick={() => setOpen((o) => !o)}
          isExpanded={open}
          isFullWidth
        >
          <TextInputGroup isPlain>
            <TextInputGroupMain
              value={open ? filter : (value ?? filter)}
              onClick={() => setOpen(true)}
              onChange={(_e, v) => {
                setFilter(v);
                setOpen(true);
              }}
              onKeyDown={(e) => {
                if (e.key === 'ArrowDown') {
                  e.preventDefault();
                  setOpen(true);
                  setTimeout(focusFirstOption, 0);
                }
              }}
              placeholder={t('Search hubs')}
              aria-label={label}
              role="combobox"
              isExpanded={open}
              aria-controls={listId}
              autoComplete="off"
            />
          </TextInputGroup>
        </MenuToggle>
      )}
    >
      <SelectList id={listId} aria-label={label}>
        {shown.length === 0 && (
          <SelectOption isDisabled value="">
            {t('No hub matches')}
          </SelectOption>
        )}
        {shown.map((h) => (
          <SelectOption
            key={h.name}
            value={h.name}
            isDisabled={!!disabledReason(h)}
            description={describe(h)}
            data-test={`hub-option-${h.name}`}
          >
            {h.isGlobalHub ? t('{{hub}} (global hub)', { hub: h.name }) : h.name}
          </SelectOption>
        ))}
      </SelectList>
    </Select>
  );
};
