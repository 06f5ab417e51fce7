/**
 * Who the page talks to: VS Code (acquireVsCodeApi: messages, state kept across reloads) or nobody (the CLI's
 * standalone HTML: exports become downloads, state lives as long as the page).
 */
export interface SaveRequest {
  type: 'save';
  format: 'svg' | 'png' | 'mermaid';
  /** Text (svg, mermaid) or base64 (png). */
  data: string;
  name: string;
}
export type ToHost = { type: 'ready' } | { type: 'open'; key: string } | SaveRequest | { type: 'error'; message: string };

export interface Host {
  standalone: boolean;
  post(message: ToHost): void;
  getState<T>(): T | undefined;
  setState<T>(state: T): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export function createHost(): Host {
  if (typeof acquireVsCodeApi === 'function') {
    const api = acquireVsCodeApi();
    return {
      standalone: false,
      post: (m) => api.postMessage(m),
      getState: <T>() => (api.getState() ?? undefined) as T | undefined,
      setState: (s) => api.setState(s),
    };
  }
  let state: unknown;
  return {
    standalone: true,
    post: (m) => {
      if (m.type === 'save') download(m);
    },
    getState: <T>() => state as T | undefined,
    setState: (s) => {
      state = s;
    },
  };
}

function download(m: SaveRequest): void {
  const bytes = m.format === 'png' ? Uint8Array.from(atob(m.data), (c) => c.charCodeAt(0)) : new TextEncoder().encode(m.data);
  const type = m.format === 'png' ? 'image/png' : m.format === 'svg' ? 'image/svg+xml' : 'text/plain';
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = m.name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
