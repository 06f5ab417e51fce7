/**
 * The ERD page: the same HTML for the VS Code webview (scripts and styles from the bundle directory, the
 * graph arriving by postMessage) and for `fklens erd --format html` (everything inlined, the graph in a JSON
 * data block). Strict CSP in both: nothing loads or runs without the page's nonce or from outside the bundle,
 * and the layout worker starts from a blob made of the bundle's elkjs worker.
 */
import type { ErdGraph } from './graph';
import { ERD_SVG_CSS } from './style';

export interface WebviewPageAssets {
  kind: 'webview';
  nonce: string;
  /** The webview's resource origin (webview.cspSource). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  workerUri: string;
}

export interface StandalonePageAssets {
  kind: 'standalone';
  nonce: string;
  script: string;
  style: string;
  workerSource: string;
  graph: ErdGraph;
  /** A view to open with (e.g. focused on a table). */
  view?: unknown;
}

export function erdCsp(assets: WebviewPageAssets | StandalonePageAssets): string {
  const nonce = `'nonce-${assets.nonce}'`;
  if (assets.kind === 'webview') {
    const src = assets.cspSource;
    return [
      "default-src 'none'",
      `img-src ${src} data: blob:`,
      `style-src ${src} ${nonce}`,
      `script-src ${nonce}`,
      `worker-src ${src} blob:`,
      `connect-src ${src}`,
      `font-src ${src}`,
    ].join('; ');
  }
  return ["default-src 'none'", 'img-src data: blob:', `style-src ${nonce}`, `script-src ${nonce}`, 'worker-src blob:'].join('; ');
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** JSON that can sit inside a <script> element: no '<' (so no '</script>' or '<!--'), no line separators. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Script text inlined in a <script> element; a closing tag in the bundle would end it early. */
function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function erdPageHtml(assets: WebviewPageAssets | StandalonePageAssets): string {
  const nonce = escapeAttr(assets.nonce);
  const head = [
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(erdCsp(assets))}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>FK Lens ERD</title>',
  ];
  const body: string[] = [];
  if (assets.kind === 'webview') {
    head.push(`<link rel="stylesheet" nonce="${nonce}" href="${escapeAttr(assets.styleUri)}">`);
    head.push(`<style nonce="${nonce}">${ERD_SVG_CSS}</style>`);
    body.push(`<div id="app" data-host="vscode" data-worker="${escapeAttr(assets.workerUri)}"></div>`);
    body.push(`<script nonce="${nonce}" src="${escapeAttr(assets.scriptUri)}"></script>`);
  } else {
    head.push(`<style nonce="${nonce}">${assets.style.replace(/<\/(style)/gi, '<\\/$1')}</style>`);
    head.push(`<style nonce="${nonce}">${ERD_SVG_CSS}</style>`);
    body.push('<div id="app" data-host="standalone"></div>');
    body.push(`<script type="application/json" id="fklens-erd-data">${jsonForScript({ graph: assets.graph, view: assets.view ?? null })}</script>`);
    body.push(`<script type="text/plain" id="fklens-elk-worker">${Buffer.from(assets.workerSource, 'utf8').toString('base64')}</script>`);
    body.push(`<script nonce="${nonce}">${inlineScript(assets.script)}</script>`);
  }
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n${head.join('\n')}\n</head>\n<body>\n${body.join('\n')}\n</body>\n</html>\n`;
}
