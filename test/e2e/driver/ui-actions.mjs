// What an extension-host test can ask the Playwright side to do (see ../README.md). Each action gets the
// workbench page and the request's JSON body and returns a JSON-able result. Add new ones here.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Nested frames, outermost first: e.g. ['iframe.webview', 'iframe#active-frame'] for a webview's content. */
function scope(page, frames = []) {
  let s = page;
  for (const f of frames) s = s.frameLocator(f);
  return s;
}

function fileName(name) {
  return String(name).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'screenshot';
}

export function createActions({ screenshotDir, prefix }) {
  return {
    /** { name, selector?, frames? } -> { path }: the whole window, or one element. */
    async screenshot(page, { name, selector, frames }) {
      mkdirSync(screenshotDir, { recursive: true });
      const path = join(screenshotDir, `${prefix ? prefix + '-' : ''}${fileName(name)}.png`);
      if (selector) await scope(page, frames).locator(selector).first().screenshot({ path });
      else await page.screenshot({ path });
      return { path };
    },

    /** { selector, frames? } -> { texts }: innerText of every match (none: []). */
    async texts(page, { selector, frames }) {
      return { texts: await scope(page, frames).locator(selector).allInnerTexts() };
    },

    /**
     * { selector, frames?, text?, gone?, timeout? } -> { texts }: waits until an element matching `selector`
     * (and containing `text`, when given) is visible, or, with `gone: true`, until none is.
     */
    async waitFor(page, { selector, frames, text, gone = false, timeout = 15000 }) {
      let locator = scope(page, frames).locator(selector);
      if (text !== undefined) locator = locator.filter({ hasText: text });
      await locator.first().waitFor({ state: gone ? 'hidden' : 'visible', timeout });
      return { texts: gone ? [] : await locator.allInnerTexts() };
    },

    /** { selector, frames? }: moves the mouse over the first match (hovers in the editor, tooltips). */
    async hover(page, { selector, frames }) {
      await scope(page, frames).locator(selector).first().hover();
      return {};
    },

    /** { selector, frames? }: clicks the first match. */
    async click(page, { selector, frames }) {
      await scope(page, frames).locator(selector).first().click();
      return {};
    },

    /**
     * { selector, frames? } -> { boxes }: for every match, its size, its content's scroll height, its line height
     * and the attributes links carry (what a hover really shows: how tall, which links).
     */
    async measure(page, { selector, frames }) {
      const boxes = await scope(page, frames).locator(selector).evaluateAll((els) =>
        els.map((el) => {
          // The line height of its text (a paragraph's, when it holds one).
          const style = getComputedStyle(el.querySelector('p') ?? el);
          const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.4;
          return {
            width: el.clientWidth,
            height: el.clientHeight,
            scrollHeight: el.scrollHeight,
            lineHeight,
            text: el.innerText,
            links: [...el.querySelectorAll('a')].map((a) => ({ text: a.innerText, href: a.getAttribute('href'), dataHref: a.getAttribute('data-href'), title: a.getAttribute('title') })),
            images: el.querySelectorAll('img').length,
          };
        }),
      );
      return { boxes };
    },

    /** { selector, frames? }: double-clicks the first match. */
    async dblclick(page, { selector, frames }) {
      await scope(page, frames).locator(selector).first().dblclick();
      return {};
    },

    /**
     * { selector, frames? } -> { rects }: for each match, its rectangle in its frame's coordinates and, for
     * text, its font size as drawn on screen (CSS font size times the SVG zoom, if any).
     */
    async rects(page, { selector, frames }) {
      const rects = await scope(page, frames)
        .locator(selector)
        .evaluateAll((elements) =>
          elements.map((e) => {
            const r = e.getBoundingClientRect();
            const ctm = typeof e.getScreenCTM === 'function' ? e.getScreenCTM() : null;
            const scale = ctm ? Math.hypot(ctm.a, ctm.b) : 1;
            return { x: r.x, y: r.y, width: r.width, height: r.height, fontPx: parseFloat(getComputedStyle(e).fontSize) * scale, text: e.textContent ?? '' };
          }),
        );
      return { rects };
    },

    /** { key }: a key press in the focused element, e.g. 'Escape' or 'Control+Shift+M'. */
    async press(page, { key }) {
      await page.keyboard.press(key);
      return {};
    },
  };
}
