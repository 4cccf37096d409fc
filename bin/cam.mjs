#!/usr/bin/env node
// The `cam` command: runs the CLI app's TypeScript sources through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('../apps/cli/src/main.ts');
