// Jest cannot require() Nest's ES modules from CommonJS (on Node 24 it refuses the require
// cycle among them). @nestjs/throttler ships CommonJS that requires the ESM-only
// @nestjs/common and @nestjs/core, so under jest (only)
// its files are evaluated here with a require() that hands over the very ES modules the app
// imported: one copy of Nest, the real throttler code. The built app does not use this file
// (Node itself require()s ES modules natively).
import * as nestCommon from '@nestjs/common';
import * as nestCore from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

const nodeRequire = createRequire(import.meta.url);
// Resolved through package.json: jest maps the bare name to this very file.
const packageJson = nodeRequire.resolve('@nestjs/throttler/package.json');
const entry = resolve(dirname(packageJson), nodeRequire(packageJson).main);
const provided = { '@nestjs/common': nestCommon, '@nestjs/core': nestCore };
const cache = new Map();

function load(file) {
  if (cache.has(file)) return cache.get(file).exports;
  const module = { exports: {} };
  cache.set(file, module);
  const localRequire = (id) => {
    if (id in provided) return provided[id];
    if (id.startsWith('.')) return load(nodeRequire.resolve(resolve(dirname(file), id)));
    return nodeRequire(id);
  };
  const run = new Function('exports', 'require', 'module', '__filename', '__dirname', readFileSync(file, 'utf8'));
  run(module.exports, localRequire, module, file, dirname(file));
  return module.exports;
}

const throttler = load(entry);
export default throttler;
export const {
  Throttle, SkipThrottle, InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerException,
  ThrottlerGuard, ThrottlerModule, ThrottlerStorageService, getOptionsToken, getStorageToken,
  seconds, minutes, hours, days, weeks,
} = throttler;
