// Jest for the console plugin (frontend/ only; the BFF and simulator use node's test runner).
/** @type {import('jest').Config} */
export default {
  rootDir: import.meta.dirname,
  roots: ['<rootDir>/frontend'],
  testEnvironment: '<rootDir>/jest.environment.cjs',
  testRegex: '\\.test\\.tsx?$',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic' } },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: {
    // The SDK's runtime lives only inside the console: tests use the template-style mock.
    '^@openshift-console/dynamic-plugin-sdk$':
      '<rootDir>/__mocks__/@openshift-console/dynamic-plugin-sdk.tsx',
    '\\.css$': '<rootDir>/__mocks__/style.ts',
  },
  setupFiles: ['<rootDir>/jest.polyfills.cjs'],
  setupFilesAfterEnv: ['<rootDir>/setup-tests.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // npm test runs the browser journeys beside Jest on a 2-core machine: 5 s is too tight there.
  testTimeout: 15_000,
  // PatternFly ships ESM under dist/esm; its CommonJS build (dist/js) is what `main` points to.
  moduleFileExtensions: ['ts', 'tsx', 'js', 'jsx', 'json'],
};
