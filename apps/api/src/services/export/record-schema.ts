/**
 * The fields of an exported record (SPEC §5) as one table, from which everything that names
 * them is derived: the record type DuckDB casts the JSONL shards' lines to to write Parquet, and
 * the `features` of the dataset card's YAML header that `datasets` reads. A record's JSON keys
 * come in this order (see `records.ts`).
 */
import type { Grammar } from "@prealign/core";

/** The type of a field, in the terms both DuckDB and `datasets` have. */
export type FieldType =
  | { kind: "string" }
  | { kind: "int32" }
  | { kind: "bool" }
  | { kind: "list"; of: FieldType }
  | { kind: "struct"; fields: RecordField[] };

/** One field of a record, or of a struct inside one. */
export interface RecordField {
  name: string;
  type: FieldType;
  /** What it holds, for the dataset card. */
  description: string;
}

const string: FieldType = { kind: "string" };
const int32: FieldType = { kind: "int32" };
const bool: FieldType = { kind: "bool" };
const list = (of: FieldType): FieldType => ({ kind: "list", of });
const struct = (...fields: RecordField[]): FieldType => ({ kind: "struct", fields });
const field = (name: string, type: FieldType, description: string): RecordField => ({ name, type, description });

/** A code-point range, `start` inclusive and `end` exclusive. */
const range = (what: string): RecordField[] => [
  field("start", int32, `first code point of ${what}`),
  field("end", int32, `code point after ${what}`),
];

/**
 * The fields of a record of an export under `grammar` (its modes name the token counts), with
 * `input_ids` and `token_modes` when a tokenizer is used.
 */
export function recordFields(grammar: Grammar, tokenized: boolean): RecordField[] {
  const fields = [
    field("id", string, "the example's stable id"),
    field("text", string, "the tagged text, byte for byte as accepted"),
    field("split", string, "train or validation, by a stable hash of the id"),
    field(
      "token_counts",
      struct(
        ...grammar.modes.map((mode) => field(mode.name, int32, `tokens of ${mode.label}`)),
        field("tags", int32, "tag tokens (each tag is one token)"),
      ),
      "tokens per mode under the snapshot's tokenizer (null without one)",
    ),
    field(
      "mode_spans",
      list(struct(field("mode", string, "the mode"), ...range("the run"))),
      "maximal runs of one mode between tags, in code points; tags are in no span, empty runs are left out",
    ),
    field(
      "marks",
      list(
        struct(
          ...range("the marked text"),
          field("category", string, "the bad-behaviour category"),
          field("commentary", struct(...range("the inside of the commenting AI span")), "the AI span commenting on the behaviour: between its `<AI>` and `</AI>`; null when uncommented"),
        ),
      ),
      "bad-behaviour marks, in code points",
    ),
    field(
      "lineage",
      struct(
        field("authors", list(string), "pseudonymous ids of the authors"),
        field("commentators", list(string), "pseudonymous ids of the commentators"),
        field("reviewers", list(string), "pseudonymous ids of the reviewers"),
        field("adjudicator", string, "pseudonymous id of the adjudicator of the last adjudication, or null"),
        field("adjudication", string, "the last adjudication's decision (accept or return), or null when never adjudicated"),
        field("guideline_version", int32, "the guideline version in force when the accepted text was saved"),
        field("revision", int32, "the number of the accepted revision"),
        field("created_at", string, "when the example was created (ISO 8601, UTC)"),
        field("accepted_at", string, "when it was accepted (ISO 8601, UTC)"),
        field("model_drafted", bool, "whether a model drafted the accepted revision"),
        field("draft_model", string, "the model that drafted it, or null"),
        field("source", string, "where an imported example came from, or null"),
      ),
      "who made the example and how it was accepted",
    ),
  ];
  if (tokenized) {
    fields.push(
      field("input_ids", list(int32), "token ids: each tag one special token (ids in grammar.json), the text between tags encoded on its own"),
      field("token_modes", list(string), "for each token, the mode in force after it"),
    );
  }
  return fields;
}

/** The DuckDB type of a field type. */
export function duckdbType(type: FieldType): string {
  switch (type.kind) {
    case "string":
      return "VARCHAR";
    case "int32":
      return "INTEGER";
    case "bool":
      return "BOOLEAN";
    case "list":
      return `${duckdbType(type.of)}[]`;
    case "struct":
      // Field names are quoted: `end` is a keyword.
      return `STRUCT(${type.fields.map((f) => `"${f.name}" ${duckdbType(f.type)}`).join(", ")})`;
  }
}

/** The DuckDB type of a whole record with these fields: a `STRUCT` of them, in order. */
export function duckdbRecordType(fields: readonly RecordField[]): string {
  return duckdbType({ kind: "struct", fields: [...fields] });
}

/**
 * The `features` of the dataset card's `dataset_info`, as YAML lines indented by `indent`
 * spaces: the format `datasets` writes itself (`dtype` for values, `struct` and `list` for
 * nesting).
 */
export function featuresYaml(fields: readonly RecordField[], indent: number): string[] {
  const pad = " ".repeat(indent);
  const lines: string[] = [];
  for (const f of fields) {
    lines.push(`${pad}- name: ${f.name}`);
    lines.push(...typeYaml(f.type, indent + 2));
  }
  return lines;
}

const DTYPES = { string: "string", int32: "int32", bool: "bool" } as const;

function typeYaml(type: FieldType, indent: number): string[] {
  const pad = " ".repeat(indent);
  switch (type.kind) {
    case "string":
    case "int32":
    case "bool":
      return [`${pad}dtype: ${DTYPES[type.kind]}`];
    case "struct":
      return [`${pad}struct:`, ...featuresYaml(type.fields, indent)];
    case "list":
      if (type.of.kind === "struct") return [`${pad}list:`, ...featuresYaml(type.of.fields, indent)];
      if (type.of.kind === "list") throw new Error("Lists of lists have no field of a record");
      return [`${pad}list: ${DTYPES[type.of.kind]}`];
  }
}
