#!/usr/bin/env node
// The `vigil` command. Vigil ships TypeScript sources and runs them through
// tsx's loader, so `npx vigil` works in a checkout right after `npm ci`
// with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
