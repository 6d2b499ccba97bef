// Reads a Server-Sent Events body to its end, handing each event to `onEvent`. Resolves when the
// stream ends or is aborted through `signal`; rejects on any other read error.
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export async function readEventStream(
  body: NonNullable<Response['body']>,
  signal: AbortSignal,
  onEvent: (event: EventSourceMessage) => void,
): Promise<void> {
  const parser = createParser({ onEvent });
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(value);
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
