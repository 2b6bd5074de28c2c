import { Label, Tooltip } from '@patternfly/react-core';
import { SyncAltIcon } from '@patternfly/react-icons';
import { useEffect, useRef, useState } from 'react';
import type { StreamState } from '../hooks/useEventStream';
import { useNow } from '../hooks/useNow';
import { useHubTranslation } from '../i18n';
import { formatDuration } from '../utils/format';

/** "Live · updated 5 s ago", or a warning while the event stream reconnects. */
export const LiveStatus = ({ stream }: { stream: StreamState }) => {
  const { t } = useHubTranslation();
  const now = useNow(5000);
  if (stream.status === 'reconnecting') {
    return (
      <Tooltip
        content={t(
          'The live connection to the Hub Migration service dropped. Data shown may be out of date until it reconnects.',
        )}
      >
        <Label status="warning" icon={<SyncAltIcon />} tabIndex={0} data-test="stream-status">
          {t('Reconnecting…')}
        </Label>
      </Tooltip>
    );
  }
  if (stream.status === 'connecting') {
    return (
      <Label color="grey" data-test="stream-status">
        {t('Connecting…')}
      </Label>
    );
  }
  if (stream.status === 'unavailable') {
    return (
      <Label color="grey" data-test="stream-status">
        {t('Refreshing every 10 s')}
      </Label>
    );
  }
  const ago = stream.lastEventAt ? Math.max(0, (now - stream.lastEventAt) / 1000) : 0;
  return (
    <Label status="success" data-test="stream-status">
      {ago < 5 ? t('Live') : t('Live · updated {{ago}} ago', { ago: formatDuration(t, ago) })}
    </Label>
  );
};

/**
 * A polite live region: the latest message is announced to screen readers, at most one every
 * `minIntervalMs` (the newest wins). Failures use the assertive variant.
 */
export const Announcer = ({
  message,
  assertive,
  minIntervalMs = 3000,
}: {
  message?: string;
  assertive?: boolean;
  minIntervalMs?: number;
}) => {
  const [spoken, setSpoken] = useState<string>();
  const last = useRef(0);
  useEffect(() => {
    if (!message) return;
    const wait = Math.max(0, last.current + minIntervalMs - Date.now());
    const timer = setTimeout(() => {
      last.current = Date.now();
      setSpoken(message);
    }, wait);
    return () => clearTimeout(timer);
  }, [message, minIntervalMs]);
  return (
    <div
      role={assertive ? 'alert' : 'status'}
      aria-live={assertive ? 'assertive' : 'polite'}
      className="pf-v6-screen-reader"
      data-test={assertive ? 'announcer-assertive' : 'announcer'}
    >
      {spoken}
    </div>
  );
};
