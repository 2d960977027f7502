import { join } from 'node:path';
import { testBundle } from '../../support/test-bundle.js';

/** The scripted App (scripted-serve.ts) as one JavaScript file (test/support/test-bundle.ts). */
export const scriptedServeBundle = (): Promise<string> =>
  testBundle('scripted-serve', join('test', 'app', 'support', 'scripted-serve.ts'), [
    join('test', 'app', 'support'),
    join('test', 'support'),
  ]);
