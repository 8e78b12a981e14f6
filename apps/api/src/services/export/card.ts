/**
 * The files beside the shards (SPEC §5): `README.md`, the dataset card whose YAML header
 * (`configs`, `dataset_info`) lets `datasets` load the folder as it is; `grammar.json`, the
 * decoding automaton with each tag's token id; and `manifest.json`, what the folder holds with
 * checksums and what changed since the previous snapshot.
 *
 * The card and `grammar.json` depend only on what is exported (no times, no paths), so that
 * exporting the same snapshot again writes them byte for byte the same.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { decodingAutomaton, type Grammar } from "@prealign/core";
import { extensionsOf, type ExportFormat, type ExportTokenizer } from "./formats.ts";
import type { FieldType, RecordField } from "./record-schema.ts";
import { featuresYaml } from "./record-schema.ts";
import type { Split } from "./records.ts";
import { LineWriter } from "./shards.ts";

/** `grammar.json`: the decoding automaton, with the tags' token ids under the tokenizer (none without one). */
export async function grammarJson(g: Grammar, tokenizer: ExportTokenizer): Promise<string> {
  if (tokenizer === "none") return `${JSON.stringify(decodingAutomaton(g), null, 2)}\n`;
  const { tagTokenIds } = await import("@prealign/core/tokenizer");
  return `${JSON.stringify(decodingAutomaton(g, { tokenizer, tagTokenIds: tagTokenIds(tokenizer, g.options) }), null, 2)}\n`;
}

/** What the dataset card says. */
export interface CardFacts {
  projectName: string;
  projectSlug: string;
  format: ExportFormat;
  tokenizer: ExportTokenizer;
  grammar: Grammar;
  fields: readonly RecordField[];
  /** Records per split, for the splits that have any, in `SPLITS` order. */
  splits: { split: Split; records: number }[];
}

/** A type as the card's field table shows it. */
function typeName(type: FieldType): string {
  switch (type.kind) {
    case "list":
      return `list of ${typeName(type.of)}`;
    case "struct":
      return "struct";
    default:
      return type.kind;
  }
}

/** The rows of the field table: nested fields by dotted name (`lineage.authors`, `marks[].commentary.start`). */
function fieldRows(fields: readonly RecordField[], prefix = ""): string[] {
  return fields.flatMap((f) => {
    const name = `${prefix}${f.name}`;
    const row = `| \`${name}\` | ${typeName(f.type)} | ${f.description.replaceAll("|", "\\|")} |`;
    if (f.type.kind === "struct") return [row, ...fieldRows(f.type.fields, `${name}.`)];
    if (f.type.kind === "list" && f.type.of.kind === "struct") return [row, ...fieldRows(f.type.of.fields, `${name}[].`)];
    return [row];
  });
}

/** The Python that loads the folder, for the card. */
function loadingExamples(facts: CardFacts): string[] {
  const where = "path/to/this/folder";
  const splits = facts.splits.map((s) => s.split);
  const dataFiles = (extension: string) => `{${splits.map((split) => `"${split}": "${where}/data/${split}-*.${extension}"`).join(", ")}}`;
  const builder = (extension: string) => (extension === "jsonl" ? "json" : "parquet");
  const lines = ["```python", "from datasets import load_dataset", ""];
  if (facts.format === "both") {
    lines.push(
      "# The same records in two formats; name the files of the one you want:",
      `ds = load_dataset("parquet", data_files=${dataFiles("parquet")})`,
      `ds = load_dataset("json", data_files=${dataFiles("jsonl")})`,
      "# or load the folder as configured by this card (Parquet):",
      `ds = load_dataset("${where}")`,
    );
  } else {
    const extension = extensionsOf(facts.format)[0]!;
    lines.push(`ds = load_dataset("${builder(extension)}", data_dir="${where}")`, "# or, as configured by this card:", `ds = load_dataset("${where}")`);
  }
  lines.push("```", "", "With DuckDB or pandas:", "", "```python");
  for (const extension of extensionsOf(facts.format)) {
    if (extension === "parquet") lines.push(`duckdb.sql("SELECT * FROM read_parquet('${where}/data/train-*.parquet')")`, `pandas.read_parquet("${where}/data/train-00000-of-….parquet")`);
    else lines.push(`duckdb.sql("SELECT * FROM read_json('${where}/data/train-*.jsonl')")`, `pandas.read_json("${where}/data/train-00000-of-….jsonl", lines=True)`);
  }
  lines.push("```");
  return lines;
}

/** `README.md`: the dataset card, with the YAML header `datasets` reads. */
export function datasetCard(facts: CardFacts): string {
  const extension = extensionsOf(facts.format)[0]!;
  const total = facts.splits.reduce((sum, s) => sum + s.records, 0);
  const g = facts.grammar;
  const yaml = [
    "---",
    `pretty_name: ${JSON.stringify(facts.projectName)}`,
    "tags:",
    "- pre-alignment",
    "- prealign-studio",
    "configs:",
    "- config_name: default",
    "  data_files:",
    ...facts.splits.flatMap((s) => [`  - split: ${s.split}`, `    path: data/${s.split}-*.${extension}`]),
    "dataset_info:",
    "  features:",
    ...featuresYaml(facts.fields, 2),
    "  splits:",
    ...facts.splits.flatMap((s) => [`  - name: ${s.split}`, `    num_examples: ${s.records}`]),
    "---",
  ];
  const tokenizerText =
    facts.tokenizer === "none"
      ? "No tokenizer was applied: records have no `input_ids` or `token_modes`, and `token_counts` is null."
      : `Tokenized with \`${facts.tokenizer}\`: each tag is one special token (its id is in \`grammar.json\`) and the text between tags is encoded on its own, so decoding \`input_ids\` gives the text back exactly. \`token_modes\` gives, for each token, the mode in force after it.`;
  const quoteModes = g.modes.filter((m) => m.kind === "quote");
  const body = [
    "",
    `# ${facts.projectName}`,
    "",
    `Pre-alignment training data written and reviewed in Prealign Studio (project \`${facts.projectSlug}\`): ` +
      `${total} accepted examples (${facts.splits.map((s) => `${s.records} ${s.split}`).join(", ")}).`,
    "",
    "Every text is labelled by who is acting. Ordinary text is human text. Text inside `<AI>` … `</AI>` is an aligned AI " +
      "speaking, acting or thinking, always motivated by the collective well-being of all humanity. Inside an AI span, " +
      quoteModes.map((m) => `\`${g.transitions.find((t) => t.to === m.name)!.tag}\` … \`${g.transitions.find((t) => t.from === m.name)!.tag}\` is the AI quoting ${m.label.replace(/^a quote of /, "")}`).join("; ") +
      ". At inference, generation starts after `<AI>`, only legal tag transitions may be sampled, and it stops at `</AI>`: " +
      "`grammar.json` holds the modes, tags and transitions, and each tag's token id.",
    "",
    "## Loading",
    "",
    ...loadingExamples(facts),
    "",
    "## Records",
    "",
    "Offsets are Unicode code points of `text` (what Python's `text[i]` counts), tags included; `start` is inclusive and `end` exclusive. " +
      "Splits come from a stable hash of the id. A text that occurs in several examples is exported once (`manifest.json` lists the others).",
    "",
    tokenizerText,
    "",
    "| field | type | meaning |",
    "|---|---|---|",
    ...fieldRows(facts.fields),
    "",
    "## Files",
    "",
    "- `data/{split}-{i}-of-{n}.{jsonl,parquet}`: the records, sorted by id within each shard.",
    "- `manifest.json`: each shard's path, SHA-256, records, bytes and tokens; totals; the tokenizer and grammar version; " +
      "the ids added and removed since the project's previous snapshot.",
    "- `grammar.json`: the decoding automaton.",
    "",
  ];
  return [...yaml, ...body].join("\n");
}

/**
 * Writes `manifest.json`: the fields of `head` (pretty-printed, in their order), then one array
 * per entry of `lists`, of the ids in that file (one per line), read line by line so that they
 * need not fit in memory.
 */
export async function writeManifest(file: string, head: Record<string, unknown>, lists: Record<string, string>): Promise<void> {
  const out = await LineWriter.open(file);
  try {
    await out.write(`${JSON.stringify(head, null, 2).replace(/\n}$/, "")},`);
    const names = Object.keys(lists);
    for (const [k, name] of names.entries()) {
      const comma = k < names.length - 1 ? "," : "";
      const ids = createInterface({ input: createReadStream(lists[name]!), crlfDelay: Infinity })[Symbol.asyncIterator]();
      let pending = await ids.next();
      if (pending.done) {
        await out.write(`  ${JSON.stringify(name)}: []${comma}`);
        continue;
      }
      await out.write(`  ${JSON.stringify(name)}: [`);
      for (let next = await ids.next(); !next.done; next = await ids.next()) {
        await out.write(`    ${JSON.stringify(pending.value)},`);
        pending = next;
      }
      await out.write(`    ${JSON.stringify(pending.value)}`);
      await out.write(`  ]${comma}`);
    }
    await out.write("}");
    await out.close();
  } catch (error) {
    await out.abandon();
    throw error;
  }
}
