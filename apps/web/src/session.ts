import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "./trpc.ts";

/** The signed-in user, `null` when nobody is signed in, `undefined` while loading. */
export function useSession() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
  return { user: me.data, isLoading: me.isLoading, error: me.error };
}
