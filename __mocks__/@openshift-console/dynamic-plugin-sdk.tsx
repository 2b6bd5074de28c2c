// Jest stand-in for the console SDK (as the console-plugin template does): the fetch helpers
// behave like the console's (CSRF header, HttpError on non-2xx) over the test's `fetch`.
import { useEffect } from 'react';
import type { ReactNode } from 'react';

export {
  consoleFetch,
  consoleFetchJSON,
  consoleFetchText,
  HttpError,
} from '../../frontend/src/harness/console-fetch';

export const DocumentTitle = ({ children }: { children: ReactNode }) => {
  useEffect(() => {
    if (typeof children === 'string') document.title = children;
  }, [children]);
  return null;
};
