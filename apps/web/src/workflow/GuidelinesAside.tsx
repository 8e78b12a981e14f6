import { useQuery } from "@tanstack/react-query";
import { Markdown } from "../components/Markdown.tsx";
import { useTRPC } from "../trpc.ts";

/** The project's guidelines beside the text, as on the example page. */
export function GuidelinesAside({ projectSlug }: { projectSlug: string }) {
  const trpc = useTRPC();
  const project = useQuery(trpc.projects.get.queryOptions({ projectSlug }));
  const guideline = project.data?.guideline;
  return (
    <aside aria-labelledby="guidelines-title" className="card guidelines" tabIndex={0}>
      <h2 id="guidelines-title">Guidelines{guideline ? ` (version ${guideline.version})` : ""}</h2>
      {guideline ? <Markdown source={guideline.markdown} /> : <p className="muted">No guidelines yet.</p>}
    </aside>
  );
}
