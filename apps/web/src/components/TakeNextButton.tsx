import { useMutation } from "@tanstack/react-query";
import { QUEUE_STAGES, ROLES, type Role } from "@prealign/core";
import { useNavigate } from "react-router";
import { errorMessage, useTRPC } from "../trpc.ts";

/** A role that pulls work from a stage queue ("Take next"): commentator, reviewer, adjudicator. */
export type QueueRole = "commentator" | "reviewer" | "adjudicator";

/** The queue roles in the order the stages come (commentary, review, adjudication). */
export const QUEUE_ROLES: readonly QueueRole[] = ROLES.filter((role): role is QueueRole => QUEUE_STAGES[role] !== undefined);

/** Whether a role pulls work from a queue. */
export function isQueueRole(role: Role | string): role is QueueRole {
  return (QUEUE_ROLES as readonly string[]).includes(role);
}

/** Where each queue role does its work on a claimed example. */
const WORK_PATH: Record<QueueRole, (exampleId: string) => string> = {
  commentator: (id) => `/examples/${id}`,
  reviewer: (id) => `/examples/${id}/review`,
  adjudicator: (id) => `/examples/${id}/adjudicate`,
};

/** The page on which a queue role works on an example. */
export function workPath(role: QueueRole, exampleId: string): string {
  return WORK_PATH[role](exampleId);
}

/** Props of {@link TakeNextButton}. */
export interface TakeNextButtonProps {
  /** The project whose queue to pull from. */
  projectSlug: string;
  /** The queue: commentary for commentators, review for reviewers, adjudication for adjudicators. */
  role: QueueRole;
  /** Said to screen readers after "Take next" so that several buttons on one page are told apart. */
  context: string;
}

/**
 * "Take next": claims the next example of the role's queue and opens it where that role works
 * on it. An empty queue is not a failure: the server's "Nothing to take" message is shown as a
 * status; a refusal (no longer a member, say) as an alert.
 */
export function TakeNextButton({ projectSlug, role, context }: TakeNextButtonProps) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const claim = useMutation(
    trpc.claims.next.mutationOptions({
      onSuccess: async (result) => {
        if (result.exampleId !== null) await navigate(workPath(role, result.exampleId));
      },
    }),
  );
  const nothing = claim.data && claim.data.exampleId === null ? claim.data.message : null;
  return (
    <div className="take-next">
      <button type="button" onClick={() => claim.mutate({ projectSlug, role })} disabled={claim.isPending}>
        Take next<span className="visually-hidden"> {context}</span>
      </button>
      {nothing && <p role="status" className="muted">{nothing}</p>}
      {claim.error && <p role="alert" className="error">{errorMessage(claim.error)}</p>}
    </div>
  );
}
