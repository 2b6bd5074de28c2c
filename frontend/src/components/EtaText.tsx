import { useHubTranslation } from '../i18n';
import { formatDuration } from '../utils/format';

type Props = {
  running: boolean;
  etaSeconds?: number;
  ratePerMinute?: number;
};

/**
 * An honest ETA: "estimating…" until the BFF has enough progress to give one, a plain statement
 * when no cluster has moved at all since the start, never a number that is only a guess.
 */
export const EtaText = ({ running, etaSeconds, ratePerMinute }: Props) => {
  const { t } = useHubTranslation();
  if (!running) return <span data-test="eta">{t('Not running')}</span>;
  if (ratePerMinute === 0) return <span data-test="eta">{t('No cluster has moved yet')}</span>;
  if (etaSeconds === undefined || !Number.isFinite(etaSeconds))
    return <span data-test="eta">{t('Estimating…')}</span>;
  return (
    <span data-test="eta">
      {t('About {{duration}} left', { duration: formatDuration(t, etaSeconds) })}
    </span>
  );
};
