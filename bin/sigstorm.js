#!/usr/bin/env node
// Runs the TypeScript sources directly (no committed build output): tsx compiles on load.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
