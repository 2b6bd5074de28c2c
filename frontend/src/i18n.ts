import { useTranslation } from 'react-i18next';
import { I18N_NAMESPACE } from './const';

/** Every user-visible string goes through this hook (namespace `plugin__hub-migration`). */
export const useHubTranslation = () => useTranslation(I18N_NAMESPACE);

export type TFunction = ReturnType<typeof useHubTranslation>['t'];
