/**
 * Drafted commentary arrives as a stream: a tRPC subscription over server-sent events (tRPC's
 * `httpSubscriptionLink`), on a client of its own, since the app's one client batches plain
 * HTTP calls. Only `type AppRouter` crosses from the API package, as in `../trpc.ts`.
 */
import { createTRPCClient, httpSubscriptionLink } from "@trpc/client";
import type { AppRouter, RouterOutputs } from "@prealign/api";

/** One event of a draft's stream: a piece of text, the checked draft, or why it was refused. */
export type DraftEvent = RouterOutputs["assist"]["draft"] extends AsyncIterable<infer E> ? E : never;

let client: ReturnType<typeof createClient> | null = null;

function createClient() {
  return createTRPCClient<AppRouter>({ links: [httpSubscriptionLink({ url: "/trpc" })] });
}

/**
 * Asks for a draft of commentary on the mark `markId`; calls `onEvent` with each event and
 * `onError` with a message when the request itself fails. The stream ends after the draft or the
 * refusal (it is never reopened); the returned function cancels it, which cancels the model's
 * request on the server too.
 */
export function streamDraft(
  input: { exampleId: string; markId: string },
  handlers: { onEvent: (event: DraftEvent) => void; onError: (message: string) => void },
): () => void {
  client ??= createClient();
  const subscription = client.assist.draft.subscribe(input, {
    onData: (event) => {
      handlers.onEvent(event);
      // The outcome is the last event: stop here, so that the browser does not reconnect.
      if (event.kind !== "text") subscription.unsubscribe();
    },
    onError: (error) => {
      handlers.onError(error.message);
      subscription.unsubscribe();
    },
  });
  return () => subscription.unsubscribe();
}
