#!/usr/bin/env node
// Installs what the end-to-end tests run on, from the npm registry only, into .vscode-test/ (gitignored):
//   .vscode-test/node-24/       Node.js 24 (npm package node-<platform>-<arch>@24: the binary and its headers)
//   .vscode-test/code-server/   code-server (a VS Code server + web build), its native modules built for Node 24
// and writes .vscode-test/e2e-tools.json naming both. Does nothing when they are already there.
// code-server needs Node 24 (on Node 20 its workbench fails to load); the extension itself still targets the
// Node that VS Code bundles, so this Node is used for the test run only.
//
// Usage: node scripts/e2e-setup.mjs [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_MAJOR = '24';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = join(root, '.vscode-test');
export const toolsFile = join(cacheDir, 'e2e-tools.json');

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
  }
}

/** A folder with its own package.json so `npm install --prefix` keeps the install inside it. */
function npmInstallInto(dir, spec, env) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fklens-e2e-tool', private: true }, null, 2) + '\n');
  run('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', '--loglevel=error', spec], { env });
}

function readTools() {
  try {
    const tools = JSON.parse(readFileSync(toolsFile, 'utf8'));
    if (tools.codeServerVersion === CODE_SERVER_VERSION && existsSync(tools.node) && existsSync(tools.codeServer)) return tools;
  } catch {
    // Missing or stale: install.
  }
  return undefined;
}

export function ensureTools({ force = false, log = (m) => console.error(m) } = {}) {
  const ready = !force && readTools();
  if (ready) return ready;
  const started = Date.now();
  const nodePackage = `node-${process.platform}-${process.arch}`;
  const nodeDir = join(cacheDir, `node-${NODE_MAJOR}`);
  const nodeHome = join(nodeDir, 'node_modules', nodePackage);
  const nodeBin = join(nodeHome, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (force || !existsSync(nodeBin)) {
    log(`e2e setup: installing Node ${NODE_MAJOR} (${nodePackage}@${NODE_MAJOR}) into ${nodeDir}`);
    npmInstallInto(nodeDir, `${nodePackage}@${NODE_MAJOR}`, process.env);
  }
  const nodeVersion = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (!nodeVersion.startsWith(`v${NODE_MAJOR}.`)) throw new Error(`e2e setup: ${nodeBin} is not Node ${NODE_MAJOR} (${nodeVersion || 'does not run'})`);

  const csDir = join(cacheDir, 'code-server');
  log(`e2e setup: installing code-server@${CODE_SERVER_VERSION} with Node ${nodeVersion} into ${csDir} (native modules build: a few minutes)`);
  // Node 24 first on PATH runs npm, node-gyp and code-server's install scripts; its headers build the native modules.
  const env = {
    ...process.env,
    PATH: `${dirname(nodeBin)}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH ?? ''}`,
    npm_config_nodedir: nodeHome,
  };
  npmInstallInto(csDir, `code-server@${CODE_SERVER_VERSION}`, env);
  const codeServer = join(csDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(codeServer)) throw new Error(`e2e setup: ${codeServer} missing after the install`);

  const tools = { node: nodeBin, nodeVersion, codeServer, codeServerVersion: CODE_SERVER_VERSION };
  writeFileSync(toolsFile, JSON.stringify(tools, null, 2) + '\n');
  log(`e2e setup: done in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  return tools;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const tools = ensureTools({ force: process.argv.includes('--force') });
    console.log(JSON.stringify(tools));
  } catch (err) {
    console.error(err?.message ?? err);
    process.exit(1);
  }
}
