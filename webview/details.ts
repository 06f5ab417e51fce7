/**
 * The details pane of the selected table: its name and where it is defined, one sentence of what a DELETE of
 * one of its rows does, then one collapsible list per effect (deleted, set NULL, set DEFAULT, blocking) of
 * clickable table names, the schema shown only when the names span several schemas. Text nodes only.
 */
import type { ErdBlast, ErdTable } from '../server/src/features/erd/graph';
import { namesFor } from '../server/src/features/erd/find';
import { h } from './dom';

export interface DetailsActions {
  /** Show a table of the lists in the diagram. */
  reveal(key: string): void;
  /** Open where the table is defined. */
  open(key: string): void;
  /** Fit the view to the table and every table its DELETE reaches. */
  fitRadius(): void;
  /** Clear the selection. */
  close(): void;
}

export interface DetailsState {
  /** The pane shows its heading only. */
  folded: boolean;
}

const EFFECTS: { field: keyof Omit<ErdBlast, 'truncated'>; title: string; className: string; verb: (n: number) => string }[] = [
  { field: 'deleted', title: 'Deleted', className: 'deleted', verb: (n) => `deletes rows of ${n} table${n === 1 ? '' : 's'}` },
  { field: 'setNull', title: 'Set NULL', className: 'set-null', verb: (n) => `sets NULL in ${n}` },
  { field: 'setDefault', title: 'Set DEFAULT', className: 'set-default', verb: (n) => `sets DEFAULT in ${n}` },
  { field: 'blocked', title: 'Blocking the DELETE', className: 'blocked', verb: (n) => `is blocked by rows of ${n}` },
];

/** Lists open at first while the names shown so far stay under this many (the first list always opens). */
const OPEN_UP_TO = 24;

export function renderDetails(
  pane: HTMLElement,
  table: ErdTable,
  blast: ErdBlast | undefined,
  tablesByKey: Map<string, ErdTable>,
  where: string,
  state: DetailsState,
  actions: DetailsActions,
): void {
  const lists = EFFECTS.map((e) => ({ ...e, tables: (blast?.[e.field] ?? []).map((k) => tablesByKey.get(k)).filter((t): t is ErdTable => !!t) }));
  const names = namesFor([table, ...lists.flatMap((l) => l.tables)]);
  const name = (t: ErdTable) => names.get(t.key) ?? t.name;

  const fold = h('button', { type: 'button', class: 'details-fold', 'aria-expanded': String(!state.folded), title: state.folded ? 'Show the details' : 'Fold the details' }, state.folded ? '▸' : '▾');
  const whereLink = h('button', { type: 'button', class: 'link details-where', title: `Open the definition (${table.file})` }, where);
  whereLink.addEventListener('click', () => actions.open(table.key));
  const reaches = lists.some((l) => l.tables.length);
  const fit = h('button', { type: 'button', class: 'details-fit', title: 'Fit the view to the table and every table a DELETE of it reaches' }, 'Fit radius');
  fit.addEventListener('click', () => actions.fitRadius());
  fit.hidden = !reaches;
  const close = h('button', { type: 'button', class: 'details-close', title: 'Clear the selection (Esc)', 'aria-label': 'Clear the selection' }, '×');
  close.addEventListener('click', () => actions.close());
  const head = h('div', { class: 'details-head' }, fold, h('strong', { class: 'details-name' }, name(table)), whereLink, h('span', { class: 'details-actions' }, fit, close));

  const effects = lists.filter((l) => l.tables.length).map((l) => l.verb(l.tables.length));
  const sentence = effects.length
    ? `DELETE FROM ${name(table)} ${effects.length > 1 ? effects.slice(0, -1).join(', ') + ' and ' + effects[effects.length - 1] : effects[0]}.`
    : `DELETE FROM ${name(table)} reaches no other table.`;
  const body = h('div', { class: 'details-body' }, h('p', { class: 'details-summary' }, sentence));
  let shown = 0;
  for (const l of lists) {
    if (!l.tables.length) continue;
    const section = h('details', { class: `effect effect-${l.className}` });
    section.open = shown === 0 || shown + l.tables.length <= OPEN_UP_TO;
    shown += l.tables.length;
    const chips = h('div', { class: 'chips' });
    for (const t of [...l.tables].sort((a, b) => name(a).localeCompare(name(b), undefined, { numeric: true }))) {
      const chip = h('button', { type: 'button', class: 'chip', 'data-key': t.key, title: `Show ${t.schema}.${t.name} in the diagram` }, name(t));
      chip.addEventListener('click', () => actions.reveal(t.key));
      chips.append(chip);
    }
    section.append(h('summary', {}, h('span', { class: `swatch blast-${l.className}` }), ` ${l.title} (${l.tables.length})`), chips);
    body.append(section);
  }
  if (blast?.truncated) body.append(h('p', { class: 'details-note' }, 'The reach was cut short: too many tables.'));
  body.hidden = state.folded;
  fold.addEventListener('click', () => {
    state.folded = !state.folded;
    body.hidden = state.folded;
    fold.textContent = state.folded ? '▸' : '▾';
    fold.setAttribute('aria-expanded', String(!state.folded));
    fold.title = state.folded ? 'Show the details' : 'Fold the details';
  });
  pane.replaceChildren(head, body);
}
