#!/usr/bin/env node
// The `digest` executable: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('./digest.ts');
