import '@patternfly/react-core/dist/styles/base.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { HarnessApp } from './HarnessApp';
import { initI18n } from './i18n-init';

declare global {
  interface Window {
    /** Uncaught errors, recorded as the console records them (browser tests check it). */
    windowError?: string;
  }
}

window.addEventListener('error', (event) => {
  window.windowError = event.message;
});
window.addEventListener('unhandledrejection', (event) => {
  window.windowError = String(event.reason);
});

void initI18n(navigator.language.split('-')[0]).then(() => {
  const root = document.getElementById('root');
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      <BrowserRouter>
        <HarnessApp />
      </BrowserRouter>
    </StrictMode>,
  );
});
