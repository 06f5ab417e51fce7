/**
 * squawk, the PostgreSQL migration linter (Rust), as the speed reference of `npm run bench`. Its npm package
 * ships the binary inside per-platform packages (`@squawk-cli/<platform>-<arch>`), so no download script runs.
 * It is not a dependency of FK Lens: `npm run bench:squawk` installs it into bench/tools/ (git-ignored).
 * Looked for in: $FKLENS_SQUAWK, bench/tools/, the repository's node_modules, then the PATH.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SQUAWK_VERSION = '2.66.0';
const ROOT = resolve(__dirname, '../..');
const TOOLS = join(ROOT, 'bench/tools');
const PLATFORM_PACKAGE = `@squawk-cli/${process.platform}-${process.arch}`;
const BINARY = process.platform === 'win32' ? 'squawk.exe' : 'squawk';

/** The squawk binary (not its JS launcher, which would add a node start to every run), or undefined. */
export function findSquawk(): string | undefined {
  const candidates = [
    process.env.FKLENS_SQUAWK,
    join(TOOLS, 'node_modules', PLATFORM_PACKAGE, 'bin', BINARY),
    join(ROOT, 'node_modules', PLATFORM_PACKAGE, 'bin', BINARY),
  ];
  const found = candidates.find((p) => p && existsSync(p));
  if (found) return found;
  const onPath = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  return onPath.status === 0 ? BINARY : undefined;
}

if (require.main === module) {
  execFileSync('npm', ['install', '--prefix', TOOLS, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${PLATFORM_PACKAGE}@${SQUAWK_VERSION}`], { stdio: 'inherit' });
  const squawk = findSquawk();
  console.log(squawk ? `squawk: ${squawk}` : 'squawk not found after installing');
  if (!squawk) process.exitCode = 1;
}
