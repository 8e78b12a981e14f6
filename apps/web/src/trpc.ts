/**
 * The web app's one tRPC client. Every request carries the CSRF header the server demands
 * on mutations and the session cookie (same origin). Only `type AppRouter` crosses from
 * the API package, so no server code reaches the bundle.
 */
import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpLink, splitLink, TRPCClientError } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@prealign/api";

/** React bindings: `useTRPC()` gives query and mutation option factories. */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** Creates the client; one per page load. */
export function createClient() {
  const options = {
    url: "/trpc",
    headers: { "x-studio-csrf": "1" },
    fetch: (url: URL | RequestInfo, init?: RequestInit) => fetch(url, { ...init, credentials: "same-origin" }),
  };
  return createTRPCClient<AppRouter>({
    links: [
      // The server refuses a batch that carries a login (so that one request cannot carry many
      // password guesses); a login therefore always travels alone.
      splitLink({
        condition: (op) => op.path === "auth.login",
        true: httpLink(options),
        // The server refuses a batch of more than 20 calls (MAX_BATCH_SIZE in apps/api/src/server.ts).
        false: httpBatchLink({ ...options, maxItems: 20, maxURLLength: 8_000 }),
      }),
    ],
  });
}

/** The query cache. Authorization failures are not retried: retrying cannot fix them. */
export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, error) => !isClientError(error) && count < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
}

/** The tRPC error code of a failed call (`UNAUTHORIZED`, `CONFLICT`, …), if it has one. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
}

/**
 * The HTTP status of a failed call: the one tRPC reports, or else that of the response itself
 * (a body the server refused before tRPC read it, such as a 413 from the size limit).
 */
export function httpStatus(error: unknown): number | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data = error.data as { httpStatus?: number } | undefined;
  const meta = error.meta as { response?: { status?: number } } | undefined;
  return data?.httpStatus ?? meta?.response?.status;
}

/** Whether the server refused the call for what it asked (4xx): sending it again gets the same answer. */
export function isClientError(error: unknown): boolean {
  const status = httpStatus(error);
  return status !== undefined && status >= 400 && status < 500;
}

/** A message to show a person for a failed call. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) return error.message;
  if (error instanceof Error) return `${error.message}. Check your connection and try again.`;
  return "Something went wrong. Try again.";
}
