import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { useTRPC } from "../trpc.ts";
import { tagWords } from "./tags.ts";

/**
 * The scenario an example was written for, shown on its page so that the author (and everyone
 * after them) sees the prompt the example answers: its key, prompt, categories and interaction
 * types. Shows nothing for an example written without a scenario.
 */
export function ScenarioPrompt({ exampleId }: { exampleId: string }) {
  const trpc = useTRPC();
  const titleId = useId();
  const scenario = useQuery(trpc.scenarios.ofExample.queryOptions({ exampleId }));
  if (!scenario.data) return null;
  const { key, prompt, categories, interactionTypes } = scenario.data;
  return (
    <section className="card scenario-prompt" aria-labelledby={titleId}>
      <h2 id={titleId}>Scenario: {key}</h2>
      {prompt ? <p className="prompt">{prompt}</p> : <p className="muted">This scenario has no prompt.</p>}
      {(categories.length > 0 || interactionTypes.length > 0) && (
        <p className="muted">
          {categories.length > 0 && <>Behaviours: {categories.map(tagWords).join(", ")}. </>}
          {interactionTypes.length > 0 && <>Interaction: {interactionTypes.map(tagWords).join(", ")}.</>}
        </p>
      )}
    </section>
  );
}
