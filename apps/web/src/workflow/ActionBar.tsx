import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import type { RouterOutputs } from "@prealign/api";
import type { Stage } from "@prealign/core";
import { errorMessage, useTRPC } from "../trpc.ts";

/**
 * One row of `workflow.actions`: a transition of the stage machine the caller's roles could take,
 * whether it is allowed now and why not, and whether it needs a reason.
 */
type ActionRow = RouterOutputs["workflow"]["actions"][number];

/** Props of `ActionBar`. */
export interface ActionBarProps {
  exampleId: string;
  /** Its accessible name ("Actions", "Decision"). */
  label: string;
  /**
   * Run before a submit is sent (the example page sends pending edits first). Returns a message
   * saying why the submit cannot go now, or null.
   */
  beforeSubmit?: () => Promise<string | null>;
  /** Told of a refused action, for refusals that carry more than a message (the commentary gate). */
  onRefused?: (error: unknown) => void;
  /** Told the new stage after an action went through. */
  onDone?: (stage: Stage) => void;
  /**
   * Rows whose refusal depends on text the server may not have yet (a submit while the person
   * edits): these stay clickable, with the reason beside them, and the server decides after
   * pending edits are sent.
   */
  judgedOnSend?: (row: ActionRow) => boolean;
}

/**
 * The actions the caller's roles could take on the example in its stage, from the stage
 * machine via `workflow.actions`: each a button, disabled with its reason beside it when not
 * allowed now. Return, send back and reject ask for a reason first.
 */
export function ActionBar({ exampleId, label, beforeSubmit, onRefused, onDone, judgedOnSend }: ActionBarProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const actions = useQuery(trpc.workflow.actions.queryOptions({ exampleId }));
  const [asking, setAsking] = useState<ActionRow | null>(null);
  const [reason, setReason] = useState("");
  const [holdBack, setHoldBack] = useState<string | null>(null);
  const act = useMutation(
    trpc.workflow.act.mutationOptions({
      onSuccess: async (result) => {
        setAsking(null);
        setReason("");
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.examples.get.queryKey({ exampleId }) }),
          queryClient.invalidateQueries({ queryKey: trpc.workflow.actions.queryKey({ exampleId }) }),
          queryClient.invalidateQueries({ queryKey: trpc.examples.revisions.queryKey({ exampleId }) }),
        ]);
        onDone?.(result.stage as Stage);
      },
      onError: (error) => onRefused?.(error),
    }),
  );
  // A review is completed by `reviews.submit` on the review page, not here.
  const rows = (actions.data ?? []).filter((row) => row.action !== "complete_review");

  async function run(row: ActionRow, given?: string) {
    const { action } = row;
    if (action === "complete_review") return;
    setHoldBack(null);
    act.reset();
    if (action === "submit" && beforeSubmit) {
      const refusal = await beforeSubmit();
      if (refusal) {
        setHoldBack(refusal);
        return;
      }
    }
    act.mutate({ exampleId, action, to: row.to, ...(given ? { reason: given } : {}) });
  }

  function confirm(event: FormEvent) {
    event.preventDefault();
    if (!asking || !reason.trim()) return;
    void run(asking, reason.trim());
  }

  if (actions.error) return <p role="alert" className="error">{errorMessage(actions.error)}</p>;
  if (!actions.data) return <p role="status" className="muted">Loading the actions…</p>;
  if (rows.length === 0) return null;
  return (
    <section className="card action-bar" aria-label={label}>
      <ul className="actions">
        {rows.map((row) => {
          const why = `${id}-${row.action}-${row.to}`;
          const usable = row.allowed || Boolean(judgedOnSend?.(row));
          return (
            <li key={`${row.action}-${row.to}`}>
              <button
                type="button"
                className={row.action === "reject" || row.action === "send_back" ? "secondary" : undefined}
                aria-disabled={!usable || act.isPending}
                aria-describedby={row.allowed ? undefined : why}
                aria-expanded={row.needsReason ? asking === row : undefined}
                onClick={() => {
                  if (!usable || act.isPending) return;
                  if (row.needsReason) {
                    setAsking(row);
                    setReason("");
                  } else void run(row);
                }}
              >
                {row.label}
              </button>
              {!row.allowed && row.reason && (
                <span id={why} className="why">
                  {row.reason}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {asking && (
        <form className="reason-form" onSubmit={confirm}>
          <label>
            Reason for “{asking.label}”
            <textarea rows={3} value={reason} onChange={(event) => setReason(event.target.value)} autoFocus required />
          </label>
          <div className="buttons">
            <button type="submit" disabled={!reason.trim() || act.isPending}>
              Confirm: {asking.label}
            </button>
            <button type="button" className="secondary" onClick={() => setAsking(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {holdBack && <p role="alert" className="error">{holdBack}</p>}
      {act.error && <p role="alert" className="error">{errorMessage(act.error)}</p>}
    </section>
  );
}
