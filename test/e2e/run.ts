/**
 * Runs the end-to-end scenarios (./scenarios.ts) in a real VS Code through @vscode/test-electron's runTests.
 *
 *   node out/test/e2e/run.js [scenario-name ...]     (npm run test:e2e; part of npm test)
 *
 * Which VS Code (FKLENS_E2E_VSCODE):
 *   unset / "code-server"   code-server (npm) on Node 24 (npm), opened in chromium by Playwright, through the
 *                           stand-in executable ./driver/code-server.mjs. Needs chromium (apt-get install -y
 *                           chromium); Node 24 and code-server are installed into .vscode-test/ when missing.
 *   "stable", "insiders", "1.99.0" ...   a VS Code downloaded by @vscode/test-electron (a desktop with internet).
 *   a path                  that VS Code executable.
 * With a desktop VS Code there is no UI driver: checks of the window itself (Problems panel, screenshots) skip.
 *
 * FKLENS_SKIP_E2E=1 skips the whole run (prints why). FKLENS_E2E_ATTEMPTS (default 2): how many times a failing
 * scenario is run; the summary lists every failed test of every attempt.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath, runTests } from '@vscode/test-electron';
import { ROOT, scenarios, type Scenario } from './scenarios';
import type { E2EContext } from './suite/helpers';

const DRIVER = path.join(ROOT, 'test/e2e/driver/code-server.mjs');
const HOST_EXTENSION = path.join(ROOT, 'test/e2e/host');
const SCREENSHOTS = path.join(ROOT, 'test-results/screenshots');

/** User settings of every window: quiet, offline, and no AI code actions mixed in with the extension's. */
const BASE_SETTINGS: Record<string, unknown> = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'files.autoSave': 'off',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

interface VSCode {
  executable: string;
  /** The `code` command line (for --install-extension). */
  cli: string[];
  label: string;
}

function findChromium(): string | undefined {
  if (process.env.FKLENS_E2E_CHROMIUM) return existsSync(process.env.FKLENS_E2E_CHROMIUM) ? process.env.FKLENS_E2E_CHROMIUM : undefined;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
    }
  }
  return undefined;
}

async function chooseVSCode(): Promise<VSCode> {
  const choice = process.env.FKLENS_E2E_VSCODE ?? 'code-server';
  if (choice === 'code-server') {
    const chromium = findChromium();
    if (!chromium) {
      throw new Error(
        'chromium was not found: the end-to-end tests open VS Code (code-server) in it.\n' +
          '  Install it (Debian/Ubuntu: apt-get install -y chromium), or set FKLENS_E2E_CHROMIUM to a Chrome/Chromium binary,\n' +
          '  or run them in a desktop VS Code (FKLENS_E2E_VSCODE=stable), or skip them (FKLENS_SKIP_E2E=1).',
      );
    }
    const setup = spawnSync(process.execPath, [path.join(ROOT, 'scripts/e2e-setup.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (setup.status !== 0) throw new Error('installing Node 24 and code-server into .vscode-test/ failed (see above)');
    const tools = JSON.parse(readFileSync(path.join(ROOT, '.vscode-test/e2e-tools.json'), 'utf8')) as { codeServerVersion: string; nodeVersion: string };
    return { executable: DRIVER, cli: [DRIVER], label: `code-server ${tools.codeServerVersion} on Node ${tools.nodeVersion}, ${chromium}` };
  }
  const executable = existsSync(choice) ? path.resolve(choice) : await downloadAndUnzipVSCode(choice);
  return { executable, cli: resolveCliArgsFromVSCodeExecutablePath(executable), label: `VS Code ${executable}` };
}

function run(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${what} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
}

let packaged: string | undefined;
/** `npm run package` once per run; returns the VSIX path. */
function packageVsix(): string {
  if (packaged) return packaged;
  const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const vsix = path.join(ROOT, `fklens-${version}.vsix`);
  rmSync(vsix, { force: true });
  run('npm', ['run', 'package', '--silent'], 'npm run package');
  if (!existsSync(vsix)) throw new Error(`npm run package did not write ${vsix}`);
  const bytes = statSync(vsix).size;
  console.log(`e2e: ${path.basename(vsix)}: ${(bytes / 1024 / 1024).toFixed(2)} MB (${bytes} bytes)`);
  return (packaged = vsix);
}

/** A scenario that failed, with each failed test and its message (as the suite wrote them). */
class ScenarioFailure extends Error {
  constructor(message: string, readonly tests: string[]) {
    super(message);
  }
}

/** Runs one scenario in a fresh workspace and profile; throws a ScenarioFailure naming the failed tests. */
async function runScenario(vscode: VSCode, s: Scenario): Promise<void> {
  const base = realpathSync(mkdtempSync(path.join(tmpdir(), `fklens-e2e-${s.name}-`)));
  const workspace = path.join(base, 'workspace');
  const userData = path.join(base, 'user-data');
  const extensions = path.join(base, 'extensions');
  mkdirSync(workspace);
  mkdirSync(path.join(userData, 'User'), { recursive: true });
  mkdirSync(extensions);
  const failuresFile = path.join(base, 'failures.json');
  s.workspace(workspace);
  writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...s.settings }, null, 2));

  if (s.vsix) {
    const vsix = packageVsix();
    const [cmd, ...args] = vscode.cli;
    run(cmd, [...args, '--install-extension', vsix, '--extensions-dir', extensions, '--user-data-dir', userData], `installing ${path.basename(vsix)}`);
  }

  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const f of readdirSync(SCREENSHOTS)) if (f.startsWith(`${s.name}-`)) rmSync(path.join(SCREENSHOTS, f));

  const context: E2EContext = {
    run: s.name,
    workspace,
    expectActive: s.expectActive,
    editFile: s.editFile,
    migrationsDir: s.migrationsDir,
    installedIn: s.vsix ? extensions : undefined,
  };
  try {
    await runTests({
      vscodeExecutablePath: vscode.executable,
      extensionDevelopmentPath: s.vsix ? HOST_EXTENSION : ROOT,
      extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
      launchArgs: [workspace, `--user-data-dir=${userData}`, `--extensions-dir=${extensions}`],
      extensionTestsEnv: {
        FKLENS_E2E_CONTEXT: JSON.stringify(context),
        FKLENS_E2E_SUITES: process.env.FKLENS_E2E_ONLY_SUITES ?? s.suites.join(','),
        FKLENS_E2E_RUN: s.name,
        FKLENS_E2E_SCREENSHOTS: SCREENSHOTS,
        FKLENS_E2E_FAILURES: failuresFile,
      },
    });
  } catch (err) {
    console.error(`e2e: scenario ${s.name} failed; its workspace and profile are kept in ${base}`);
    let tests: string[] = [];
    try {
      tests = JSON.parse(readFileSync(failuresFile, 'utf8')) as string[];
    } catch {
      // VS Code did not get as far as running the tests.
    }
    throw new ScenarioFailure(err instanceof Error ? err.message : String(err), tests);
  }
  rmSync(base, { recursive: true, force: true });
}

async function main(): Promise<number> {
  if (process.env.FKLENS_SKIP_E2E === '1') {
    console.log('e2e: skipped (FKLENS_SKIP_E2E=1)');
    return 0;
  }
  const filters = process.argv.slice(2);
  const chosen = scenarios.filter((s) => !filters.length || filters.some((f) => s.name.includes(f)));
  if (!chosen.length) {
    console.error(`e2e: no scenario matches ${filters.join(' ')} (scenarios: ${scenarios.map((s) => s.name).join(', ')})`);
    return 1;
  }
  if (!existsSync(path.join(ROOT, 'dist/client/extension.js'))) {
    console.error('e2e: dist/ is not built; run `npm run build` first');
    return 1;
  }
  const skipped = chosen.filter((s) => s.skip);
  for (const s of skipped) console.log(`e2e: scenario ${s.name} skipped: ${s.skip}`);
  const runnable = chosen.filter((s) => !s.skip);
  if (!runnable.length) return 0;
  const started = Date.now();
  const vscode = await chooseVSCode();
  console.log(`e2e: ${vscode.label}; setup ${((Date.now() - started) / 1000).toFixed(1)}s`);
  // A scenario that fails is run once more in a fresh window: a real VS Code in a browser on a busy 2-core
  // machine can miss a beat. The summary names every failure of either attempt, so a flaky test stays visible;
  // a scenario passes only if its second attempt passes as a whole.
  const attempts = Number(process.env.FKLENS_E2E_ATTEMPTS ?? 2);
  const results: { name: string; ok: boolean; seconds: string; failures: string[][] }[] = [];
  for (const s of runnable) {
    const t = Date.now();
    const failures: string[][] = [];
    for (let attempt = 1; attempt <= attempts; attempt++) {
      console.log(`\ne2e: scenario ${s.name} (${s.suites.join(', ')})${attempt > 1 ? `, attempt ${attempt}` : ''}`);
      try {
        await runScenario(vscode, s);
        break;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        console.error(`e2e: ${s.name}: ${message}`);
        failures.push(err instanceof ScenarioFailure && err.tests.length ? err.tests : [message]);
      }
    }
    results.push({ name: s.name, ok: failures.length < attempts, seconds: ((Date.now() - t) / 1000).toFixed(1), failures });
  }
  console.log('\ne2e summary:');
  for (const r of results) {
    const note = r.ok && r.failures.length ? '; failed once, passed when run again' : '';
    console.log(`  ${r.ok ? 'pass' : 'FAIL'}  ${r.name} (${r.seconds}s${note})`);
    r.failures.forEach((tests, i) => {
      for (const line of tests) console.log(`        attempt ${i + 1}: ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`);
    });
  }
  for (const s of skipped) console.log(`  skip  ${s.name} (the corpus is absent)`);
  console.log(`  total ${((Date.now() - started) / 1000).toFixed(1)}s; screenshots in ${path.relative(process.cwd(), SCREENSHOTS) || '.'}`);
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`e2e: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
