/**
 * The heap policy of FK Lens's own processes (the language server and the CLI), imported first by both entries.
 *
 * V8 lets the heap grow to several times what the last full collection kept before it collects again. Every
 * edit replays and analyses the model anew, which is short-lived garbage: with V8's default growth the server
 * went from about 200 MiB after indexing the 6.4 MB bench workspace to a 450-500 MiB peak over 50 edits, although
 * what stays alive does not grow. Growing by at most half of what survived kept the peak at 257-282 MiB in 5 of
 * 6 runs (one 391) for about 12 % more CPU time on those edits, with the same edit latency on trigger.dev
 * (bench/perf.ts prints the peak; 25 % instead of 50 % gave 231-253 MiB for 30 % more CPU).
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--heap-growing-percent=50');
