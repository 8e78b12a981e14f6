import { BAD_BEHAVIOUR_CATEGORIES, INTERACTION_TYPES, type BadBehaviourCategory, type InteractionType } from "@prealign/core";
import { useState, type FormEvent } from "react";
import { tagWords } from "./tags.ts";

/** A scenario's fields as the form edits them. */
export interface ScenarioFields {
  key: string;
  prompt: string;
  categories: BadBehaviourCategory[];
  interactionTypes: InteractionType[];
  target: number | null;
}

/** The fields of a new scenario. */
export const EMPTY_SCENARIO: ScenarioFields = { key: "", prompt: "", categories: [], interactionTypes: [], target: null };

/** Adds `value` to `list` or takes it out. */
function toggled<T>(list: readonly T[], value: T, on: boolean): T[] {
  return on ? [...list, value] : list.filter((entry) => entry !== value);
}

/**
 * The form that adds or edits a scenario: key, prompt, bad-behaviour categories and interaction
 * types (checkboxes, from the core's lists) and the target count. `onSave` gets the fields; the
 * caller shows the server's answer (`error`) and closes the form when it succeeds.
 */
export function ScenarioForm({
  label,
  initial,
  submitLabel,
  pending,
  error,
  onSave,
  onCancel,
}: {
  label: string;
  initial: ScenarioFields;
  submitLabel: string;
  pending: boolean;
  error: string | null;
  onSave: (fields: ScenarioFields) => void;
  onCancel?: () => void;
}) {
  const [fields, setFields] = useState(initial);
  const [targetText, setTargetText] = useState(initial.target === null ? "" : String(initial.target));
  const target = Number(targetText);
  const targetValid = targetText.trim() === "" || (Number.isInteger(target) && target >= 0);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!targetValid) return;
    onSave({ ...fields, key: fields.key.trim(), target: targetText.trim() === "" ? null : target });
  }

  return (
    <form onSubmit={submit} className="card scenario-form" aria-label={label}>
      <label>
        Key
        <input required maxLength={200} value={fields.key} onChange={(e) => setFields({ ...fields, key: e.target.value })} />
      </label>
      <label>
        Prompt
        <textarea rows={4} maxLength={20_000} value={fields.prompt} onChange={(e) => setFields({ ...fields, prompt: e.target.value })} />
      </label>
      <fieldset>
        <legend>Categories</legend>
        {BAD_BEHAVIOUR_CATEGORIES.map((category) => (
          <label key={category} className="check">
            <input
              type="checkbox"
              checked={fields.categories.includes(category)}
              onChange={(e) => setFields({ ...fields, categories: toggled(fields.categories, category, e.target.checked) })}
            />
            {tagWords(category)}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Interaction types</legend>
        {INTERACTION_TYPES.map((type) => (
          <label key={type} className="check">
            <input
              type="checkbox"
              checked={fields.interactionTypes.includes(type)}
              onChange={(e) => setFields({ ...fields, interactionTypes: toggled(fields.interactionTypes, type, e.target.checked) })}
            />
            {tagWords(type)}
          </label>
        ))}
      </fieldset>
      <label>
        Target
        <input type="number" inputMode="numeric" min={0} step={1} value={targetText} aria-invalid={!targetValid} onChange={(e) => setTargetText(e.target.value)} />
      </label>
      <p className={targetValid ? "muted help" : "error help"}>
        {targetValid ? "How many accepted examples the project wants from this scenario; leave it empty for no target." : "Enter a whole number from 0, or leave it empty."}
      </p>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="form-actions">
        <button type="submit" disabled={pending || !targetValid}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
