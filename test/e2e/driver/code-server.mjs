#!/usr/bin/env node
// Stands in for the VS Code executable that @vscode/test-electron's runTests() launches, on machines that
// cannot download VS Code: it takes the same command line (`--extensionDevelopmentPath=`, `--extensionTestsPath=`,
// `--user-data-dir=`, `--extensions-dir=`, a folder to open), starts code-server (a real VS Code server + web
// workbench, npm) on Node 24 in its own process group, opens the workbench in chromium through playwright-core,
// relays the window's log (where the extension tests print) and exits with the code the tests end with.
//
// While the tests run it answers UI requests from them on http://127.0.0.1:<port>/ (FKLENS_E2E_DRIVER in the
// extension host's environment): screenshots, reading the Problems panel, webviews ... (./ui-actions.mjs).
//
// Also acts as the `code` CLI for `--install-extension X --extensions-dir D` (and `--list-extensions`).
//
// Environment: FKLENS_E2E_CHROMIUM (browser binary; default: chromium on PATH), FKLENS_E2E_RUN (name prefix of screenshots), FKLENS_E2E_SCREENSHOTS (their folder;
// default test-results/screenshots), FKLENS_E2E_TIMEOUT_MS (whole run; default 600000), FKLENS_E2E_VERBOSE=1
// (print the workbench's own log and code-server's output, not only the tests' output).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { createActions } from './ui-actions.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const VALUE_FLAGS = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir', 'install-extension', 'uninstall-extension', 'folder-uri', 'locale']);
const verbose = process.env.FKLENS_E2E_VERBOSE === '1';
/** Starts every line the extension tests print (see suite/index.ts), to tell them from the window's own log. */
const TEST_OUTPUT_MARK = '[fklens-e2e] ';

function parseArgs(argv) {
  const options = new Map();
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const value = eq > 0 ? arg.slice(eq + 1) : VALUE_FLAGS.has(key) && i + 1 < argv.length ? argv[++i] : true;
    options.set(key, [...(options.get(key) ?? []), value]);
  }
  return { get: (k) => options.get(k)?.at(-1), all: (k) => options.get(k) ?? [], has: (k) => options.has(k), positional };
}

function findChromium() {
  const given = process.env.FKLENS_E2E_CHROMIUM;
  if (given) {
    if (!existsSync(given)) fail(`FKLENS_E2E_CHROMIUM=${given} does not exist`);
    return given;
  }
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      const p = join(dir, name);
      if (dir && existsSync(p)) return p;
    }
  }
  fail('chromium was not found: the end-to-end tests drive VS Code in it. Install it (Debian: apt-get install -y chromium) or set FKLENS_E2E_CHROMIUM to a Chrome/Chromium binary.');
}

function fail(message) {
  console.error(`e2e driver: ${message}`);
  process.exit(1);
}

async function loadTools() {
  const { ensureTools } = await import(join(root, 'scripts/e2e-setup.mjs'));
  return ensureTools();
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The `code` CLI subset: install / list / uninstall extensions into --extensions-dir. */
async function runCli(args) {
  const tools = await loadTools();
  const cliArgs = [tools.codeServer];
  for (const key of ['install-extension', 'uninstall-extension']) for (const v of args.all(key)) cliArgs.push(`--${key}`, v);
  if (args.has('list-extensions')) cliArgs.push('--list-extensions', '--show-versions');
  if (args.has('force')) cliArgs.push('--force');
  if (args.get('extensions-dir')) cliArgs.push('--extensions-dir', resolve(args.get('extensions-dir')));
  if (args.get('user-data-dir')) cliArgs.push('--user-data-dir', resolve(args.get('user-data-dir')));
  const r = spawnSync(tools.node, cliArgs, { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

async function runTests(args) {
  const testsPath = args.get('extensionTestsPath');
  const devPaths = args.all('extensionDevelopmentPath').map((p) => resolve(p));
  if (!testsPath || !devPaths.length) fail('expected --extensionTestsPath= and --extensionDevelopmentPath= (as runTests passes them)');
  const chromiumPath = findChromium();
  const tools = await loadTools();

  const scratch = mkdtempSync(join(tmpdir(), 'fklens-e2e-driver-'));
  const userDataDir = resolve(args.get('user-data-dir') ?? join(scratch, 'user-data'));
  const extensionsDir = resolve(args.get('extensions-dir') ?? join(scratch, 'extensions'));
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  // The runner writes the window's settings; run on its own, keep at least code-server's AI actions out.
  const settings = join(userDataDir, 'User', 'settings.json');
  if (!existsSync(settings)) writeFileSync(settings, JSON.stringify({ 'chat.disableAIFeatures': true }, null, 2));

  const target = args.positional[0] ? resolve(args.positional[0]) : undefined;
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const logFile = join(scratch, 'code-server.log');
  const logStream = createWriteStream(logFile);
  const recent = [];
  /** Keeps a line in the log file and (unless the tests' output, printed already) in the tail shown on failure. */
  const remember = (line, tail = true) => {
    logStream.write(line + '\n');
    if (!tail) return;
    recent.push(line);
    if (recent.length > 200) recent.shift();
  };

  const screenshotDir = resolve(process.env.FKLENS_E2E_SCREENSHOTS ?? join(root, 'test-results', 'screenshots'));
  const actions = createActions({ screenshotDir, prefix: process.env.FKLENS_E2E_RUN ?? '' });
  let page;
  let browser;
  let codeServer;
  let uiServer;
  let finished = false;
  const cleanups = [];

  async function cleanup() {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // Best effort: the process group is killed below in any case.
      }
    }
    cleanups.length = 0;
  }

  async function finish(code, why) {
    if (finished) return;
    finished = true;
    if (why) console.error(`e2e driver: ${why}`);
    if (code !== 0 && page) {
      try {
        const shot = await actions.screenshot(page, { name: 'failure' });
        console.error(`e2e driver: screenshot of the window at the failure: ${shot.path}`);
      } catch {
        // The page may be gone.
      }
      if (!verbose) {
        console.error(`e2e driver: last lines of the workbench / code-server log (${logFile}):`);
        for (const line of recent.slice(-40)) console.error('  | ' + line);
      }
    }
    await cleanup();
    await new Promise((r) => logStream.end(r));
    if (code === 0) rmSync(scratch, { recursive: true, force: true });
    process.exit(code);
  }

  process.on('SIGINT', () => void finish(130, 'interrupted'));
  process.on('SIGTERM', () => void finish(143, 'terminated'));

  // --- UI requests from the tests -------------------------------------------------------------------------
  let queue = Promise.resolve();
  uiServer = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const name = decodeURIComponent((req.url ?? '/').slice(1));
      const reply = (status, value) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
      if (req.method !== 'POST' || !action) return reply(404, { error: `unknown UI action '${name}' (known: ${Object.keys(actions).join(', ')})` });
      queue = queue.then(async () => {
        try {
          if (!page) throw new Error('the workbench page is not open yet');
          reply(200, { result: await action(page, body ? JSON.parse(body) : {}) });
        } catch (err) {
          reply(500, { error: err?.message ?? String(err) });
        }
      });
    });
  });
  const uiPort = await freePort();
  await new Promise((r) => uiServer.listen(uiPort, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => uiServer.close(r)));

  // --- code-server ----------------------------------------------------------------------------------------
  const csArgs = [
    tools.codeServer,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    // Without it a built code-server ignores extension-test paths.
    '--vscode-option', 'enable-smoke-test-driver',
  ];
  codeServer = spawn(tools.node, csArgs, {
    detached: true, // own process group: its watchers and extension host go with it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FKLENS_E2E_DRIVER: `http://127.0.0.1:${uiPort}` },
  });
  const relay = (prefix) => (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (!line.trim()) continue;
      remember(`${prefix}${line}`);
      if (verbose) console.error(`${prefix}${line}`);
    }
  };
  codeServer.stdout.on('data', relay('[code-server] '));
  codeServer.stderr.on('data', relay('[code-server] '));
  codeServer.on('exit', (code, signal) => void finish(1, `code-server exited early (${code ?? signal})`));
  cleanups.push(async () => {
    codeServer.removeAllListeners('exit');
    const group = -codeServer.pid;
    try {
      process.kill(group, 'SIGTERM');
    } catch {
      return; // already gone
    }
    for (let i = 0; i < 30; i++) {
      await sleep(100);
      try {
        process.kill(group, 0);
      } catch {
        return;
      }
    }
    try {
      process.kill(group, 'SIGKILL');
    } catch {
      // gone
    }
  });

  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      const r = await fetch(`${origin}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) return finish(1, 'code-server did not answer on /healthz within 60 s');
    await sleep(200);
  }

  // --- the workbench in chromium --------------------------------------------------------------------------
  const { chromium } = await import('playwright-core');
  const profile = join(scratch, 'chromium');
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  cleanups.push(() => browser.close());
  page = browser.pages()[0] ?? (await browser.newPage());

  let exitCode;
  const exited = new Promise((r) => (exitCode = r));
  await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
    const text = format(...(Array.isArray(logArgs) ? logArgs : [logArgs]));
    // The tests' lines carry TEST_OUTPUT_MARK (suite/index.ts adds it); the window's own log lines (gallery
    // look-ups failing offline and the like) are only printed with FKLENS_E2E_VERBOSE=1.
    const fromTests = text.startsWith(TEST_OUTPUT_MARK);
    remember(`[${type}] ${text}`, !fromTests);
    if (!fromTests && !verbose) return;
    const line = fromTests ? text.slice(TEST_OUTPUT_MARK.length) : text;
    if (type === 'error' || type === 'warn') console.error(line);
    else console.log(line);
  });
  await page.exposeFunction('codeAutomationExit', (code) => exitCode(typeof code === 'number' ? code : 1));
  page.on('pageerror', (err) => remember(`[pageerror] ${err?.message ?? err}`));
  page.on('crash', () => void finish(1, 'the workbench page crashed'));

  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [
    ...devPaths.map((p) => ['extensionDevelopmentPath', remote(p)]),
    ['extensionTestsPath', remote(resolve(testsPath))],
  ];
  const query = new URLSearchParams();
  if (target && target.endsWith('.code-workspace')) query.set('workspace', target);
  else if (target) query.set('folder', target);
  else query.set('ew', 'true');
  query.set('payload', JSON.stringify(payload));
  await page.goto(`${origin}/?${query}`);

  const timeoutMs = Number(process.env.FKLENS_E2E_TIMEOUT_MS ?? 600000);
  const timer = setTimeout(() => void finish(1, `the tests did not finish within ${timeoutMs / 1000} s`), timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  await queue;
  await finish(code, code === 0 ? undefined : `the extension tests ended with exit code ${code}`);
}

const args = parseArgs(process.argv.slice(2));
if (args.has('install-extension') || args.has('uninstall-extension') || args.has('list-extensions')) {
  await runCli(args);
} else {
  await runTests(args).catch((err) => fail(err?.stack ?? String(err)));
}
