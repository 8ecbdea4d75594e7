// Transforms the ES modules of node_modules for jest (see jest.config.js).
module.exports = require('@jupyterlab/testutils/lib/babel.config');
