/// <reference lib="dom" />
/**
 * A real browser for the ERD page tests: Debian's chromium driven by playwright-core. Fails with a clear
 * message when chromium is missing (install it with `apt-get install -y chromium`, or point FKLENS_CHROMIUM
 * at a Chrome/Chromium binary).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';

export const REPO = resolve(__dirname, '../../..');
export const CHROMIUM = process.env.FKLENS_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `chromium not found at ${CHROMIUM}: the ERD browser tests need it (apt-get install -y chromium, or set FKLENS_CHROMIUM to a Chrome/Chromium binary)`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `erd-${name}.png`) });
}

/** Collects what must never happen on the page: CSP violations, console errors, uncaught errors, dialogs. */
export interface PageProblems {
  violations: string[];
  errors: string[];
  dialogs: string[];
}

export async function watch(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { violations: [], errors: [], dialogs: [] };
  await page.exposeFunction('__fklensViolation', (text: string) => problems.violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __fklensViolation(t: string): void }).__fklensViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.errors.push(m.text());
  });
  page.on('pageerror', (e) => problems.errors.push(e.message));
  page.on('dialog', (d) => {
    problems.dialogs.push(d.message());
    void d.dismiss();
  });
  return problems;
}

/** Waits until the page has drawn at least `n` times (window.fklensErd.renders), failing on a layout error. */
export async function rendered(page: Page, n = 1): Promise<void> {
  await page.waitForFunction(
    (count) => {
      const m = (window as unknown as { fklensErd?: { renders: number; error?: string } }).fklensErd;
      if (m?.error) throw new Error(m.error);
      return !!m && m.renders >= count;
    },
    n,
    { timeout: 60_000 },
  );
}

export async function renders(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { fklensErd: { renders: number } }).fklensErd.renders);
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.map': 'application/json' };

/**
 * Serves dist/webview/ (or another build of it, e.g. an older one to compare with) and one page at /index.html
 * on the loopback interface (the webview's resource origin).
 */
export async function serveWebview(page: (origin: string) => string, root = join(REPO, 'dist', 'webview')): Promise<{ origin: string; close(): Promise<void> }> {
  let origin = '';
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page(origin));
      return;
    }
    const file = join(root, path);
    if (!file.startsWith(root + '/') || !existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * For each rectangle of a PNG screenshot, the share of its pixels that stand out from `background` (RGB
 * distance above `threshold`): how visible what is drawn there is. Decoded by chromium in a blank page.
 */
export async function inkShares(browser: Browser, png: Buffer, rects: Rect[], background: [number, number, number], threshold = 60): Promise<number[]> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async ({ data, rects, background, threshold }) => {
        const image = new Image();
        await new Promise<void>((resolve, reject) => {
          image.onload = () => resolve();
          image.onerror = () => reject(new Error('screenshot not decodable'));
          image.src = 'data:image/png;base64,' + data;
        });
        const canvas = document.createElement('canvas');
        canvas.width = image.width;
        canvas.height = image.height;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(image, 0, 0);
        return rects.map((r) => {
          const x = Math.max(0, Math.floor(r.x));
          const y = Math.max(0, Math.floor(r.y));
          const w = Math.max(1, Math.min(image.width - x, Math.ceil(r.width)));
          const h = Math.max(1, Math.min(image.height - y, Math.ceil(r.height)));
          const px = ctx.getImageData(x, y, w, h).data;
          let ink = 0;
          for (let i = 0; i < px.length; i += 4) {
            const d = Math.hypot(px[i] - background[0], px[i + 1] - background[1], px[i + 2] - background[2]);
            if (d > threshold) ink++;
          }
          return ink / (px.length / 4);
        });
      },
      { data: png.toString('base64'), rects, background, threshold },
    );
  } finally {
    await page.close();
  }
}
