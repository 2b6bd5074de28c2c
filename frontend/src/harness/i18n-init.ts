import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from '../../../locales/en/plugin__hub-migration.json';
import { I18N_NAMESPACE } from '../const';

/**
 * i18next configured as the console configures it (keys are the English text, `~` separates a
 * namespace, no key nesting), with the English catalogue of this plugin. For the harness and tests.
 */
export const initI18n = (language = 'en') =>
  i18next.use(initReactI18next).init({
    lng: language,
    fallbackLng: 'en',
    ns: [I18N_NAMESPACE],
    defaultNS: I18N_NAMESPACE,
    nsSeparator: '~',
    keySeparator: false,
    resources: { en: { [I18N_NAMESPACE]: en } },
    interpolation: { escapeValue: false },
    returnEmptyString: false,
    react: { useSuspense: false },
  });
