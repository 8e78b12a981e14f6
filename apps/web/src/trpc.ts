/**
 * The web app's one tRPC client. Every request carries the CSRF header the server demands
 * on mutations and the session cookie (same origin). Only `type AppRouter` crosses from
 * the API package, so no server code reaches the bundle.
 */
import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@prealign/api";

/** React bindings: `useTRPC()` gives query and mutation option factories. */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** Creates the client; one per page load. */
export function createClient() {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: "/trpc",
        headers: { "x-studio-csrf": "1" },
        fetch: (url, options) => fetch(url, { ...options, credentials: "same-origin" }),
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

function isClientError(error: unknown): boolean {
  const status = error instanceof TRPCClientError ? (error.data as { httpStatus?: number } | undefined)?.httpStatus : undefined;
  return status !== undefined && status >= 400 && status < 500;
}

/** A message to show a person for a failed call. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) return error.message;
  if (error instanceof Error) return `${error.message}. Check your connection and try again.`;
  return "Something went wrong. Try again.";
}
