// Runs every test twice: once as Android, once as web, so platform files (.web.ts) are exercised.
const { getAndroidPreset, getWebPreset } = require('jest-expo/config/getPlatformPreset');

const esm = [
  '.pnpm',
  'react-native',
  '@react-native',
  '@react-native-community',
  '@react-native-async-storage',
  'expo',
  '@expo',
  'react-navigation',
  '@react-navigation',
  'react-redux',
  '@reduxjs/toolkit',
  'redux',
  'immer',
  'reselect',
  'redux-thunk',
  'axios',
  'gifted-charts-core',
].join('|');

const common = {
  setupFiles: ['<rootDir>/jest.setup.js'],
  transformIgnorePatterns: [
    `/node_modules/(?!(${esm}))`,
    '/node_modules/@react-native/babel-preset/',
  ],
  testPathIgnorePatterns: ['/node_modules/', '/e2e/', '/dist/', '/.out/'],
  clearMocks: true,
};

// Watch plugins belong to the top level, not to projects.
const project = (preset) => {
  const { watchPlugins: _unused, ...rest } = preset;
  return { ...rest, ...common, setupFiles: [...(rest.setupFiles ?? []), ...common.setupFiles] };
};

module.exports = {
  projects: [project(getAndroidPreset()), project(getWebPreset())],
  // Top level: jest ignores `testTimeout` inside a project. A file's first test also pays for
  // loading React Native and the screens: on a busy CI machine that alone passed jest's
  // default 5 s once. A real hang still fails, at 20 s.
  testTimeout: 20000,
};
