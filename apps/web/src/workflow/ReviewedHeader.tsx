import { Link } from "react-router";
import type { RouterOutputs } from "@prealign/api";
import { ClaimBar } from "./Claim.tsx";
import { stageLabel } from "./vocabulary.ts";

type Example = RouterOutputs["examples"]["get"];

/**
 * The top of the review and adjudication pages: the page's title with the example's stage
 * (accessible name "Stage"), where it belongs, the revision and round under review, and the
 * caller's claim.
 */
export function ReviewedHeader({ title, example, revisionNumber, round }: { title: string; example: Example; revisionNumber: number; round: number }) {
  return (
    <>
      <div className="page-title">
        <h1>
          {title}{" "}
          <output aria-label="Stage" className={`stage stage-${example.stage}`}>
            {stageLabel(example.stage)}
          </output>
        </h1>
      </div>
      <p className="muted">
        Project <Link to={`/projects/${example.project.slug}`}>{example.project.name}</Link> · <Link to={`/examples/${example.id}`}>Example page</Link> · Revision{" "}
        {revisionNumber}, round {round}
      </p>
      <ClaimBar exampleId={example.id} claim={example.claim} projectSlug={example.project.slug} />
    </>
  );
}
