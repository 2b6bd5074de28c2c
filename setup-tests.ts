import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';
import { initI18n } from './frontend/src/harness/i18n-init';

// The console's convention for test ids.
configure({ testIdAttribute: 'data-test' });

// Real i18next with the English catalogue, so tests read what users read (plurals included).
void initI18n();
