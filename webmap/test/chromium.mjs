// Headless Chromium for the browser tests: Debian's chromium driven by
// playwright-core (no browser is ever downloaded). CHROMIUM overrides the
// path.
export const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

/** Flags for a quiet, offline, sandbox-less headless run in CI containers. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches headless Chromium with CHROMIUM_ARGS. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
