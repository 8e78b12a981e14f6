import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { errorMessage, useTRPC } from "../trpc.ts";
import { when } from "./vocabulary.ts";

/** How often a held claim is renewed while its page is open (the lease is 30 minutes). */
export const CLAIM_RENEW_MS = 5 * 60 * 1000;

/** The claim on an example as `examples.get` reports it. */
export interface ClaimView {
  holder: { id: string; name: string } | null;
  expiresAt: string | Date | null;
  mine: boolean;
}

/**
 * Keeps the caller's claim on an example alive while the page is open: renewed every few
 * minutes, and once more when the tab comes back into view. Returns the latest expiry and the
 * refusal, if a renewal was refused (the lease ran out and someone else took the example).
 */
export function useClaimRenewal(exampleId: string, claim: ClaimView | null | undefined) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const mine = Boolean(claim?.mine);
  const renew = useMutation(
    trpc.claims.renew.mutationOptions({
      onError: () => void queryClient.invalidateQueries({ queryKey: trpc.examples.get.queryKey({ exampleId }) }),
    }),
  );
  const { mutate } = renew;
  useEffect(() => {
    if (!mine) return;
    const timer = window.setInterval(() => mutate({ exampleId }), CLAIM_RENEW_MS);
    const onVisible = () => {
      if (document.visibilityState === "visible") mutate({ exampleId });
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [exampleId, mine, mutate]);
  return { expiresAt: renew.data?.expiresAt ?? claim?.expiresAt ?? null, error: renew.error };
}

/**
 * Who holds the example: the caller (with the lease's end, renewed while the page is open, and
 * "Hand back" to put it back in its queue), someone else, or nobody.
 */
export function ClaimBar({ exampleId, claim, projectSlug }: { exampleId: string; claim: ClaimView | null | undefined; projectSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { expiresAt, error } = useClaimRenewal(exampleId, claim);
  const [handedBack, setHandedBack] = useState(false);
  const release = useMutation(
    trpc.claims.release.mutationOptions({
      onSuccess: async () => {
        setHandedBack(true);
        await queryClient.invalidateQueries({ queryKey: trpc.examples.get.queryKey({ exampleId }) });
        await navigate(`/projects/${projectSlug}`);
      },
    }),
  );
  if (!claim) return null;
  return (
    <div className="claim-bar" aria-label="Claim" role="group">
      {claim.mine ? (
        <>
          <span>
            You hold this example{expiresAt ? ` until ${when(expiresAt)}` : ""}; the claim is renewed while this page is open.
          </span>
          <button type="button" className="secondary" onClick={() => release.mutate({ exampleId })} disabled={release.isPending || handedBack}>
            Hand back
          </button>
        </>
      ) : claim.holder ? (
        <span>
          {claim.holder.name} holds this example{claim.expiresAt ? ` until ${when(claim.expiresAt)}` : ""}.
        </span>
      ) : (
        <span className="muted">Nobody holds this example. Take it with “Take next” on the project page.</span>
      )}
      {error && (
        <p role="alert" className="error">
          Your claim could not be renewed: {errorMessage(error)}
        </p>
      )}
      {release.error && <p role="alert" className="error">{errorMessage(release.error)}</p>}
    </div>
  );
}
