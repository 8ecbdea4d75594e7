/**
 * Where the browser tests write the screenshots that illustrate the docs.
 *
 * By default into the running test's own output folder (ui-tests/test-results/, or the
 * folder given with --output), which git ignores: `make test` leaves the working tree as it
 * found it. `make screenshots` sets MLHUB_SCREENSHOT_DIR to docs/screenshots/ to retake the
 * pictures the README and docs/ show.
 */
import { test } from '@playwright/test';
import * as path from 'path';

/** The path to save the screenshot `name` (e.g. "home-dark.png") to; call it inside a test. */
export function shot(name: string): string {
  const dir = process.env.MLHUB_SCREENSHOT_DIR;
  return dir ? path.resolve(dir, name) : test.info().outputPath(name);
}
