/** Reads `.fklens.json` from a workspace root: the one loader of the CLI and the language server. */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE, parseConfigText, type Checked } from './config';

export interface LoadedConfigFile extends Checked {
  /** Absolute path of the file, when there is one. */
  path?: string;
  /** Its text (to locate the problems in). */
  text?: string;
}

/** A missing file is no problem (the defaults apply); an unreadable or invalid one is reported, never thrown. */
export async function loadConfigFile(root: string, file = join(root, CONFIG_FILE)): Promise<LoadedConfigFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { layer: {}, problems: [], issues: [] };
    const message = `${file}: cannot be read (${code ?? String(err)}).`;
    return { layer: {}, problems: [message], issues: [{ message, path: [], fatal: true }], path: file };
  }
  return { ...parseConfigText(text, file), path: file, text };
}
