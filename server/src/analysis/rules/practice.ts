/**
 * Which migrations a rule about migration practice reports (lock_timeout, NOT VALID): a history is judged from the
 * migration that adopts the practice on. Before it, or in a history that never adopts it, the migrations have most
 * likely run long ago, and reporting each of them would bury the one finding that matters, on the migration being
 * written now: only the newest migration with findings is reported (it says how many earlier ones there are), and
 * every migration under review (files named to `fklens check`, or from `checkFrom` on).
 */
import type { HistoryModel } from '../../model/replay';

/**
 * Of the steps with findings (`steps`, in order), those to report, and the earlier ones the newest then stands for.
 * `adopted`: the first step that follows the practice, or -1.
 */
export function stepsToReport(history: HistoryModel, steps: number[], adopted: number, reviewed: readonly string[] = []): { reported: Set<number>; earlier: number[] } {
  const review = new Set(reviewed);
  const underReview = (step: number) => review.has(history.steps[step]?.file ?? history.sources[step]?.path);
  if (adopted >= 0) return { reported: new Set(steps.filter((step) => step >= adopted || underReview(step))), earlier: [] };
  if (!steps.length) return { reported: new Set(), earlier: [] };
  const reported = new Set(steps.filter(underReview));
  if (!reported.size) reported.add(steps[steps.length - 1]);
  const newest = Math.max(...reported);
  return { reported, earlier: steps.filter((step) => step < newest && !reported.has(step)) };
}

/**
 * What a finding standing for earlier migrations adds: ` No migration of this history sets lock_timeout, and 3
 * earlier ones lock parents this way too; ...` (`never`: what no migration does; `verb` and `what`: what they do).
 */
export function earlierMigrationsText(earlier: number, never: string, verb: string, what: string): string {
  if (!earlier) return '';
  const one = earlier === 1;
  return ` No migration of this history ${never}, and ${earlier} earlier one${one ? '' : 's'} ${verb}${one ? 's' : ''} ${what} this way too; they have most likely run already, so only the newest is reported.`;
}
