// What the plugin uses of @openshift-console/dynamic-plugin-sdk, for the standalone harness
// (webpack.harness.ts aliases the package here). Inside the console the real SDK is used.
import { useEffect } from 'react';
import type { ReactNode } from 'react';

export { consoleFetch, consoleFetchJSON, consoleFetchText, HttpError } from './console-fetch';

export const DocumentTitle = ({ children }: { children: ReactNode }) => {
  useEffect(() => {
    if (typeof children === 'string') document.title = `${children} · Hub Migration`;
  }, [children]);
  return null;
};
