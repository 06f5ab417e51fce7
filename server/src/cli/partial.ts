/**
 * Partial histories in SARIF: the run's invocation carries one tool execution notification per thing FK Lens
 * skipped (SARIF's place for conditions met while analysing), so a SARIF viewer shows that the run was partial
 * and where. `executionSuccessful` stays true: the analysis ran; it was not complete.
 */
import type { PartialHistoryJson } from '../model/json';

/** `artifact`: a file's SARIF artifact location, as the results' locations give it. */
export function sarifInvocation(partial: PartialHistoryJson[], artifact: (file: string) => { uri: string; uriBaseId?: string }) {
  const notifications = partial.flatMap((p) =>
    p.reasons.map((r) => ({
      descriptor: { id: `partial-history/${r.code}` },
      level: 'note',
      message: { text: `Partial history ${p.history}: ${r.message}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: artifact(r.file),
            region: { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn },
          },
        },
      ],
      properties: { history: p.history, code: r.code },
    })),
  );
  return {
    executionSuccessful: true,
    ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
    properties: { partialHistories: partial.map((p) => p.history) },
  };
}

/** The same with file paths as the user sees them (JSON output). */
export function displayed(partial: PartialHistoryJson[], display: (file: string) => string): PartialHistoryJson[] {
  return partial.map((p) => ({ ...p, reasons: p.reasons.map((r) => ({ ...r, file: display(r.file) })) }));
}
