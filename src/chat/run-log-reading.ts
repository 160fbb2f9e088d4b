import type { DiagnosticLog } from '../diagnostics.ts';
import type { RunEvent } from './run-log.ts';

/**
 * A turn's events as the run log gives them, except that a read that fails part way (Redis gone,
 * a damaged key) ends with an error event saying so instead of a stream that simply stops. The
 * event carries the seq of the last event delivered, so a client that resumes from its id
 * misses nothing that can still be read.
 */
export async function* readReportingBreaks(
  events: AsyncIterable<RunEvent>,
  afterSeq: number,
  turnId: string,
  log: DiagnosticLog,
): AsyncGenerator<RunEvent> {
  let lastSeq = afterSeq;
  try {
    for await (const runEvent of events) {
      lastSeq = runEvent.seq;
      yield runEvent;
    }
  } catch (error) {
    log.error({ err: error, turnId }, 'a turn’s run log could not be read');
    yield {
      seq: lastSeq,
      event: {
        type: 'error',
        code: 'SERVICE_UNAVAILABLE',
        message: `the live stream of this answer broke: the server could not read its events. Resume later, or read the stored answer (message ${turnId}) from its conversation`,
      },
    };
  }
}
