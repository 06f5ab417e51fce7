/**
 * The extension-tests entry (`extensionTestsPath`): VS Code's extension host loads this file and awaits run().
 * Runs with mocha the suite files the scenario names (FKLENS_E2E_SUITES, comma-separated: `diagnostics` ->
 * ./diagnostics.e2e.js), or every *.e2e.js file here. Output goes through the extension host's console, which
 * VS Code relays (to the terminal on a desktop; to the driver's codeAutomationLog in code-server).
 */
import * as path from 'node:path';
import { readdirSync } from 'node:fs';
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
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} end-to-end test(s) failed`)) : resolve()));
  });
}
