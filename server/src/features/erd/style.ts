/**
 * The diagram's CSS. Colours are variables with light-theme fallbacks: a standalone SVG uses the fallbacks,
 * the webview maps the variables to VS Code's theme colours (page.ts), and an export from the webview pins
 * the values the theme had.
 */
export const ERD_SVG_CSS = `
.erd { font-family: var(--erd-font, ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace); font-size: 12px; }
.erd text { fill: var(--erd-fg, #1f2328); white-space: pre; }
.erd .erd-frame { fill: var(--erd-bg, #ffffff); stroke: var(--erd-border, #8c959f); stroke-width: 1; }
.erd .erd-header { fill: var(--erd-header, #eaeef2); stroke: var(--erd-border, #8c959f); stroke-width: 1; }
.erd .erd-title { font-weight: bold; }
.erd .erd-type, .erd .erd-nn, .erd .erd-count { fill: var(--erd-muted, #656d76); }
.erd .erd-key.pk { fill: var(--erd-pk, #9a6700); font-weight: bold; }
.erd .erd-key.uq { fill: var(--erd-pk, #9a6700); }
.erd .erd-key.fk { fill: var(--erd-fk, #0969da); font-weight: bold; }
.erd .erd-col.not-null { font-weight: bold; }
.erd .erd-more { fill: var(--erd-muted, #656d76); font-style: italic; cursor: pointer; }
.erd .erd-group-frame { fill: none; stroke: var(--erd-border, #8c959f); stroke-dasharray: 6 4; }
.erd .erd-group-title { fill: var(--erd-muted, #656d76); font-weight: bold; }
.erd .erd-toggle { fill: var(--erd-muted, #656d76); cursor: pointer; }
.erd .erd-schema .erd-frame { fill: var(--erd-header, #eaeef2); stroke-dasharray: 5 3; }
.erd .erd-edge path { fill: none; }
.erd .erd-edge .erd-line, .erd .erd-edge.folded path { stroke: var(--erd-restrict, #6e7781); stroke-width: 1.3; }
.erd .erd-edge .erd-hit { stroke: transparent; stroke-width: 8; }
.erd .erd-edge.cascade .erd-line { stroke: var(--erd-cascade, #cf222e); stroke-width: 2; }
.erd .erd-edge.set-null .erd-line { stroke: var(--erd-set-null, #bc4c00); stroke-dasharray: 6 4; }
.erd .erd-edge.set-default .erd-line { stroke: var(--erd-set-default, #8250df); stroke-dasharray: 8 3 2 3; }
.erd .erd-edge.folded path { stroke-dasharray: 2 3; }
.erd .erd-marker { fill: none; stroke: var(--erd-fg, #1f2328); stroke-width: 1.3; }
.erd .erd-marker.hollow { fill: var(--erd-bg, #ffffff); }
.erd .selected .erd-frame { stroke: var(--erd-focus, #0969da); stroke-width: 4; vector-effect: non-scaling-stroke; }
.erd .selected .erd-header, .erd.far .selected .erd-frame { fill: var(--erd-selected-bg, #b6e3ff); }
.erd .neighbour .erd-frame { stroke: var(--erd-focus, #0969da); stroke-width: 2; vector-effect: non-scaling-stroke; }
.erd .blast-set-default .erd-frame, .erd .blast-set-default .erd-header { fill: var(--erd-blast-set-default, #e5dbff); }
.erd .blast-set-default .erd-frame { stroke: var(--erd-set-default, #8250df); stroke-width: 3; vector-effect: non-scaling-stroke; }
.erd .blast-set-null .erd-frame, .erd .blast-set-null .erd-header { fill: var(--erd-blast-set-null, #ffd8b5); }
.erd .blast-set-null .erd-frame { stroke: var(--erd-set-null, #bc4c00); stroke-width: 3; vector-effect: non-scaling-stroke; }
.erd .blast-blocked .erd-frame, .erd .blast-blocked .erd-header { fill: var(--erd-blast-blocked, #d0d7de); }
.erd .blast-blocked .erd-frame { stroke: var(--erd-cascade, #cf222e); stroke-dasharray: 4 2; stroke-width: 3; vector-effect: non-scaling-stroke; }
.erd .blast-deleted .erd-frame, .erd .blast-deleted .erd-header { fill: var(--erd-blast-deleted, #ffcecb); }
.erd .blast-deleted .erd-frame { stroke: var(--erd-cascade, #cf222e); stroke-dasharray: none; stroke-width: 3; vector-effect: non-scaling-stroke; }
.erd .search-hit .erd-frame { stroke: var(--erd-search, #bf8700); stroke-width: 3; vector-effect: non-scaling-stroke; }
.erd .dimmed { opacity: 0.12; }
.erd .erd-table.search-hit, .erd .erd-table.revealed { opacity: 1; }
.erd .erd-edge.dimmed { opacity: 0.06; }
.erd .erd-edge.highlight .erd-line { stroke-width: 2.5; vector-effect: non-scaling-stroke; }
.erd .erd-table:focus, .erd .erd-schema:focus { outline: none; }
.erd .erd-table:focus .erd-frame, .erd .erd-schema:focus .erd-frame { stroke: var(--erd-focus, #0969da); stroke-width: 3; stroke-dasharray: none; vector-effect: non-scaling-stroke; }
.erd .search-current .erd-frame, .erd .revealed .erd-frame { stroke: var(--erd-search, #bf8700); stroke-width: 5; vector-effect: non-scaling-stroke; }
`;
