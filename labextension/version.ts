/**
 * The extension's version, read from the root package.json (the one version source,
 * which the Python package also takes its version from).
 */
declare function require(path: string): { version: string };

// The bundler inlines the JSON; lib/version.js resolves ../package.json to the root.
export const EXTENSION_VERSION: string = require('../package.json').version;
