import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';

/** Shows the router's current location, so tests can assert navigation and URL filters. */
const LocationProbe = () => {
  const location = useLocation();
  return <div data-test="location">{`${location.pathname}${location.search}`}</div>;
};

export const renderAt = (element: ReactElement, { url = '/', path = '*' } = {}) =>
  render(
    <MemoryRouter initialEntries={[url]}>
      <Routes>
        <Route
          path={path}
          element={
            <>
              {element}
              <LocationProbe />
            </>
          }
        />
        <Route path="*" element={<LocationProbe />} />
      </Routes>
    </MemoryRouter>,
  );
