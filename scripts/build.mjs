// Bundles the extension client, the language server and the CLI with esbuild, and copies the
// libpg-query WebAssembly binary next to the bundles (its loader reads `__dirname + '/libpg-query.wasm'`,
// and in a bundle `__dirname` is `dist/`).
//
// Usage: node scripts/build.mjs [--production] [--watch]
//   --production (or NODE_ENV=production): minified. Source maps are always written (dist/*.map); the VSIX
//   leaves them out (.vscodeignore).
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const args = new Set(process.argv.slice(2));
const production = args.has('--production') || process.env.NODE_ENV === 'production';
const watch = args.has('--watch');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const entries = [
  { in: 'client/src/extension.ts', out: 'client/extension', external: ['vscode'] },
  { in: 'server/src/server.ts', out: 'server', vendor: true },
  { in: 'server/src/cli.ts', out: 'cli', banner: '#!/usr/bin/env node', executable: true, optional: true, vendor: true },
];

function findWasm() {
  // Resolve through the package itself so a hoisted or nested install both work.
  const require = createRequire(join(root, 'package.json'));
  const main = require.resolve('libpg-query');
  const candidates = [join(dirname(main), 'libpg-query.wasm'), join(root, 'node_modules/libpg-query/wasm/libpg-query.wasm')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('libpg-query.wasm not found (is libpg-query installed?)');
  return found;
}

// Large libraries only some commands or files need are bundled on their own in dist/vendor/ and required
// when first used (the code requires them inside the function that needs them): `fklens check` of a
// PostgreSQL project never reads elkjs (3 MB, ERD layout), @babel/parser (JS / TS migrations) or
// node-sql-parser (MySQL), and neither does the server until such a file shows up.
const VENDOR = {
  'elkjs/lib/elk.bundled.js': 'elkjs',
  '@babel/parser': 'babel-parser',
  'node-sql-parser/build/mysql': 'node-sql-parser-mysql',
};
const vendorExternal = {
  name: 'vendor-external',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(VENDOR).map((k) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: `./vendor/${VENDOR[args.path]}.js`, external: true }));
  },
};

async function buildVendor(contexts) {
  const require = createRequire(join(root, 'package.json'));
  const options = {
    absWorkingDir: root,
    entryPoints: Object.entries(VENDOR).map(([spec, out]) => ({ in: require.resolve(spec), out })),
    outdir: join(dist, 'vendor'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    minify: production,
    legalComments: production ? 'none' : 'inline',
    logLevel: 'warning',
  };
  await buildOrWatch(options, contexts, `build: ${Object.keys(VENDOR).join(', ')} -> dist/vendor/ (loaded on first use)`);
}

/** Builds once (and says what it built), or starts watching. */
async function buildOrWatch(options, contexts, done) {
  if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
    contexts.push(ctx);
  } else {
    await esbuild.build(options);
    console.log(done);
  }
}

const copyWasm = {
  name: 'copy-libpg-query-wasm',
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length) return;
      mkdirSync(dist, { recursive: true });
      copyFileSync(findWasm(), join(dist, 'libpg-query.wasm'));
    });
  },
};

// The ERD webview page (webview/): a browser bundle, its stylesheet and elkjs's layout worker, in dist/webview/
// (the only folder the webview may load from).
async function buildWebview(contexts) {
  const out = join(dist, 'webview');
  const options = {
    absWorkingDir: root,
    entryPoints: [
      { in: join(root, 'webview/main.ts'), out: 'erd' },
      { in: join(root, 'webview/erd.css'), out: 'erd' },
    ],
    outdir: out,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome114',
    sourcemap: 'linked',
    sourcesContent: false,
    minify: production,
    legalComments: production ? 'none' : 'inline',
    logLevel: 'warning',
    plugins: [
      {
        name: 'copy-elk-worker',
        setup(build) {
          build.onEnd((result) => {
            if (result.errors.length) return;
            const require = createRequire(join(root, 'package.json'));
            mkdirSync(out, { recursive: true });
            copyFileSync(join(dirname(require.resolve('elkjs/package.json')), 'lib/elk-worker.min.js'), join(out, 'elk-worker.min.js'));
          });
        },
      },
    ],
  };
  await buildOrWatch(options, contexts, 'build: webview/main.ts -> dist/webview/erd.js, erd.css, elk-worker.min.js');
}

async function main() {
  if (!watch) rmSync(dist, { recursive: true, force: true });
  const contexts = [];
  for (const entry of entries) {
    const file = join(root, entry.in);
    if (!existsSync(file)) {
      if (entry.optional) {
        console.log(`build: skipping ${entry.in} (not present yet)`);
        continue;
      }
      throw new Error(`build: missing entry point ${entry.in}`);
    }
    const options = {
      absWorkingDir: root,
      entryPoints: [{ in: file, out: entry.out }],
      outdir: dist,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node18',
      external: entry.external ?? [],
      sourcemap: 'linked',
      sourcesContent: false,
      minify: production,
      keepNames: !production,
      legalComments: production ? 'none' : 'inline',
      define: {
        'process.env.FKLENS_VERSION': JSON.stringify(pkg.version),
      },
      banner: entry.banner ? { js: entry.banner } : undefined,
      logLevel: 'warning',
      plugins: entry.vendor ? [vendorExternal, copyWasm] : [copyWasm],
      metafile: true,
    };
    if (watch) {
      const ctx = await esbuild.context(options);
      await ctx.watch();
      contexts.push(ctx);
    } else {
      const result = await esbuild.build(options);
      const outFile = join(dist, entry.out + '.js');
      if (entry.executable && existsSync(outFile)) chmodSync(outFile, 0o755);
      const bytes = Object.entries(result.metafile.outputs)
        .filter(([name]) => name.endsWith('.js'))
        .reduce((n, [, o]) => n + o.bytes, 0);
      console.log(`build: ${entry.in} -> ${relative(root, outFile)} (${(bytes / 1024).toFixed(0)} KiB)`);
    }
  }
  await buildVendor(contexts);
  await buildWebview(contexts);
  if (watch) {
    console.log('build: watching for changes…');
  } else {
    console.log(`build: copied libpg-query.wasm to dist/ (${production ? 'production' : 'development'} build)`);
  }
}

main().catch((err) => {
  console.error(err?.message ?? err);
  process.exit(1);
});
