/**
 * Unit tests of the lab extension's models and pure helpers (`jlpm test`), set up as the
 * JupyterLab extension cookiecutter and jupyterlab-git do: @jupyterlab/testutils' config
 * (ts-jest through tsconfig.test.json, jsdom), with the ES modules in node_modules
 * transformed too. Tests live in labextension/__tests__/, mirroring labextension/.
 */
const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyterlab/',
  '@microsoft',
  'exenv-es6',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  // Only the sources: .venv/ and the build output hold package.json files of their own.
  roots: ['<rootDir>/labextension'],
  collectCoverageFrom: ['labextension/**/*.{ts,tsx}', '!labextension/**/*.d.ts', '!labextension/__tests__/**'],
  coverageReporters: ['lcov', 'text'],
  // The base config adds jest-junit, which writes junit.xml into the working tree.
  reporters: ['default'],
  testRegex: 'labextension/__tests__/.*\\.spec\\.tsx?$',
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
