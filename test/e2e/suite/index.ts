/**
 * The extension-tests entry (`extensionTestsPath`): VS Code's extension host loads this file and awaits run().
 * Runs with mocha the suite files the scenario names (FKLENS_E2E_SUITES, comma-separated: `diagnostics` ->
 * ./diagnostics.e2e.js), or every *.e2e.js file here. Output goes through the extension host's console, which
 * VS Code relays (to the terminal on a desktop; to the driver's codeAutomationLog in code-server).
 */
import * as path from 'node:path';
import { readdirSync, writeFileSync } from 'node:fs';
import Mocha from 'mocha';
import { log, ui } from './helpers';

export function run(): Promise<void> {
  // Under the Playwright driver, the window's log carries this output along with its own: mark ours.
  if (ui.available) Mocha.reporters.Base.consoleLog = log;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000, reporter: 'spec' });
  const wanted = (process.env.FKLENS_E2E_SUITES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const available = readdirSync(__dirname).filter((f) => f.endsWith('.e2e.js')).map((f) => f.slice(0, -'.e2e.js'.length));
  for (const name of wanted.length ? wanted : available) {
    if (!available.includes(name)) return Promise.reject(new Error(`no suite file ${name}.e2e.js in ${__dirname}`));
    mocha.addFile(path.join(__dirname, `${name}.e2e.js`));
  }
  // Each failure, one line each, for the runner's summary (the spec output above it may scroll out of a CI log).
  const failed: string[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (process.env.FKLENS_E2E_FAILURES) writeFileSync(process.env.FKLENS_E2E_FAILURES, JSON.stringify(failed));
      if (failures) reject(new Error(`${failures} end-to-end test(s) failed`));
      else resolve();
    });
    runner.on('fail', (test, err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      failed.push(`${test.fullTitle()}: ${message.split('\n').slice(0, 6).join(' | ')}`);
    });
  });
}
