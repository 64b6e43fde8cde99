// Lets a child `node` process load our TypeScript sources directly (node -r ./test/helpers/register-ts.js file.ts),
// with the same swc settings as Jest. Used by tests that must run a real separate process (config exit, worker kill).
'use strict';
const fs = require('node:fs');
const swc = require('@swc/core');
const options = require('./swc-options');

require.extensions['.ts'] = function compile(module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};
