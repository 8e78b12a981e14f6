import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@prealign/api";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { EMPTY_SCENARIO, ScenarioForm, type ScenarioFields } from "../scenarios/ScenarioForm.tsx";
import { ScenarioImport } from "../scenarios/ScenarioImport.tsx";
import { tagWords } from "../scenarios/tags.ts";
import { useSession } from "../session.ts";
import { errorMessage, useTRPC } from "../trpc.ts";

/** One scenario of the list. */
type Scenario = RouterOutputs["scenarios"]["list"][number];

/**
 * A project's scenario library (`/projects/:slug/scenarios`): every member reads the prompts
 * with their categories, interaction types, targets and accepted examples; project admins add,
 * edit and import scenarios. Authors start an example from a scenario on the project page.
 */
export function ScenariosPage() {
  const { slug = "" } = useParams();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user } = useSession();
  const project = useQuery(trpc.projects.get.queryOptions({ projectSlug: slug }));
  const scenarios = useQuery(trpc.scenarios.list.queryOptions({ projectSlug: slug }));
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const refresh = () => queryClient.invalidateQueries(trpc.scenarios.list.queryFilter({ projectSlug: slug }));
  const create = useMutation(
    trpc.scenarios.create.mutationOptions({
      onSuccess: async () => {
        setAdding(false);
        await refresh();
      },
    }),
  );
  const update = useMutation(
    trpc.scenarios.update.mutationOptions({
      onSuccess: async () => {
        setEditing(null);
        await refresh();
      },
    }),
  );
  const error = project.error ?? scenarios.error;
  if (error) return <p role="alert" className="error">{errorMessage(error)}</p>;
  if (!project.data) return <p role="status">Loading…</p>;
  const canManage = Boolean(user?.isAdmin) || project.data.roles.includes("admin");

  function edit(scenario: Scenario) {
    update.reset();
    setEditing(scenario.id);
  }

  function add() {
    create.reset();
    setAdding(true);
  }

  return (
    <section className="scenarios">
      <p className="breadcrumb">
        <Link to={`/projects/${slug}`}>{project.data.name}</Link>
      </p>
      <h1>Scenarios</h1>
      <p className="muted">
        Prompts for authors, each tagged with the bad behaviours and the kind of interaction it asks for, and how many accepted
        examples the project wants from it. Start an example from one with <strong>New example</strong> on the project page.
        {canManage ? "" : " Only the project's admins can change the library."}
      </p>
      {canManage &&
        (adding ? (
          <ScenarioForm
            label="New scenario"
            initial={EMPTY_SCENARIO}
            submitLabel="Add scenario"
            pending={create.isPending}
            error={create.error ? errorMessage(create.error) : null}
            onSave={(scenario) => create.mutate({ projectSlug: slug, scenario })}
            onCancel={() => setAdding(false)}
          />
        ) : (
          <button type="button" onClick={add}>
            Add scenario
          </button>
        ))}
      {scenarios.isPending && <p role="status" className="muted">Loading scenarios…</p>}
      {scenarios.data?.length === 0 && <p className="muted">No scenarios yet.</p>}
      {scenarios.data && scenarios.data.length > 0 && (
        <div className="table-scroll" role="region" aria-label="Scenarios table" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Prompt</th>
                <th scope="col">Categories</th>
                <th scope="col">Interaction types</th>
                <th scope="col" className="numeric">Accepted</th>
                <th scope="col" className="numeric">Target</th>
                {canManage && <th scope="col"><span className="visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {scenarios.data.map((scenario) =>
                editing === scenario.id ? (
                  <tr key={scenario.id}>
                    <td colSpan={7}>
                      <ScenarioForm
                        label={`Edit scenario ${scenario.key}`}
                        initial={fieldsOf(scenario)}
                        submitLabel="Save scenario"
                        pending={update.isPending}
                        error={update.error ? errorMessage(update.error) : null}
                        onSave={(fields) => update.mutate({ projectSlug: slug, scenarioId: scenario.id, scenario: fields })}
                        onCancel={() => setEditing(null)}
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={scenario.id}>
                    <th scope="row">{scenario.key}</th>
                    <td>{scenario.prompt || <span className="muted">(no prompt)</span>}</td>
                    <td>{scenario.categories.map(tagWords).join(", ")}</td>
                    <td>{scenario.interactionTypes.map(tagWords).join(", ")}</td>
                    <td className="numeric">{scenario.accepted}</td>
                    <td className="numeric">{scenario.target ?? "none"}</td>
                    {canManage && (
                      <td>
                        <button type="button" className="secondary" onClick={() => edit(scenario)}>
                          Edit {scenario.key}
                        </button>
                      </td>
                    )}
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
      {canManage && <ScenarioImport slug={slug} onImported={refresh} />}
    </section>
  );
}

/** The form's fields of a listed scenario. */
function fieldsOf(scenario: Scenario): ScenarioFields {
  const { key, prompt, categories, interactionTypes, target } = scenario;
  return { key, prompt, categories, interactionTypes, target };
}
