/**
 * `unused-suppression`: a `-- fklens-ignore` comment that suppresses nothing. Its findings are made by the
 * suppression pass (analysis/suppressions.ts), which alone knows what each comment matched; `check` is empty.
 */
import type { Rule } from '../rule';

export const UNUSED_SUPPRESSION = 'unused-suppression';

export const unusedSuppression: Rule = {
  id: UNUSED_SUPPRESSION,
  defaultSeverity: 'info',
  title: 'Suppression that suppresses nothing',
  description:
    'A `-- fklens-ignore <rule-id>` or `-- fklens-ignore-file <rule-id>` comment matched no finding: the problem was fixed, the rule id is misspelled, or the comment is not on the line above (or at the end of) the statement it was meant for. Remove it, so it does not hide a future problem.',
  tags: ['unnecessary'],
  check() {
    return [];
  },
};
