import { useQuery } from "@tanstack/react-query";
import { createSchema } from "@prealign/core";
import type { Node } from "prosemirror-model";
import { useMemo, type ComponentType } from "react";
import { useParams } from "react-router";
import type { RouterOutputs } from "@prealign/api";
import { ErrorBoundary } from "../components/ErrorBoundary.tsx";
import { revisionDoc } from "../editor/revisionDoc.ts";
import { errorMessage, useTRPC } from "../trpc.ts";
import { OffsetMap } from "./offsets.ts";

/** An example as its page shows it. */
export type Example = RouterOutputs["examples"]["get"];

/** The review round of an example: the reviewed revision and the reviews the caller may see. */
export type Review = RouterOutputs["reviews"]["get"];

/**
 * Loads the example named in the address (`:id`) and its review round, and shows `Workspace`
 * with both once they are there (loading and errors as the other pages show them). Used by the
 * review and adjudication pages.
 */
export function ReviewedExample({ Workspace }: { Workspace: ComponentType<{ example: Example; review: Review }> }) {
  const { id = "" } = useParams();
  const trpc = useTRPC();
  const example = useQuery(trpc.examples.get.queryOptions({ exampleId: id }));
  const review = useQuery(trpc.reviews.get.queryOptions({ exampleId: id }));
  const error = example.error ?? review.error;
  if (error) return <p role="alert" className="error">{errorMessage(error)}</p>;
  if (!example.data || !review.data) return <p role="status">Loading…</p>;
  return (
    <ErrorBoundary key={id}>
      <Workspace example={example.data} review={review.data} />
    </ErrorBoundary>
  );
}

/** The reviewed revision as a document in the project's schema, and its code-point offsets. */
export function useReviewedDoc(example: Example, review: Review): { doc: Node; offsets: OffsetMap } {
  const unalignedQuotes = example.project.settings.unalignedQuotes;
  const schema = useMemo(() => createSchema({ unalignedQuotes }), [unalignedQuotes]);
  const doc = useMemo(() => revisionDoc(review.revision, schema), [review.revision, schema]);
  const offsets = useMemo(() => new OffsetMap(doc), [doc]);
  return { doc, offsets };
}
