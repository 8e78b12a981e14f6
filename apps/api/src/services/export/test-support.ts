/**
 * What the export tests share: accepted examples made directly in the database (one by one
 * with their lineage, or by the thousand in bulk), and reading shards back with DuckDB, the
 * independent reader the issue asks for.
 */
import { randomBytes } from "node:crypto";
import { DuckDBInstance } from "@duckdb/node-api";
import { textToDoc } from "@prealign/core";
import type { Db } from "../../db/database.ts";
import { digestOf, excerptOf } from "../documents.ts";
import type { ParticipationRole } from "../participation.ts";
import type { ActiveSession } from "../sessions.ts";
import type { Team } from "../../test/workflow.ts";
import { exampleIn } from "../../test/workflow.ts";

/** How an accepted example came to be. */
export interface AcceptedSetup {
  text: string;
  mark?: "none" | "commented";
  /** Accepted by an adjudicator (after a return) rather than straight from review. */
  adjudicated?: boolean;
}

/**
 * An accepted example written by `team.writer`, commented by `team.commentator`, reviewed by
 * `team.reviewer` and `team.reviewer2`, with the audit events of its acceptance (and of its
 * adjudication when asked).
 */
export async function acceptedExample(db: Db, team: Team, setup: AcceptedSetup): Promise<{ id: string; headId: string }> {
  const participants: [ActiveSession, ParticipationRole][] = [[team.commentator, "commentator"]];
  if (setup.adjudicated) participants.push([team.adjudicator, "adjudicator"]);
  const example = await exampleIn(db, team, {
    stage: "accepted",
    text: setup.text,
    mark: setup.mark ?? "none",
    participants,
    reviews: [
      { by: team.reviewer, verdict: "accept" },
      { by: team.reviewer2, verdict: setup.adjudicated ? "changes_needed" : "accept" },
    ],
  });
  const event = { action: "example.stage", projectId: team.project.id, exampleId: example.id } as const;
  await db.auditEvent.create({ data: { ...event, actorId: team.reviewer2.user.id, from: "review", to: setup.adjudicated ? "adjudication" : "accepted", data: { action: "complete_review", round: 1 } } });
  if (setup.adjudicated) {
    await db.auditEvent.create({ data: { ...event, actorId: team.adjudicator.user.id, from: "adjudication", to: "accepted", data: { action: "accept", round: 1 } } });
  }
  return example;
}

/**
 * Adds `count` accepted examples to a project in a few statements, each with one head revision
 * whose text is `textOf(i)` (no marks), written by `authorId`. For exports big enough to take a
 * while. Returns their ids.
 */
export async function bulkAccepted(db: Db, projectId: string, authorId: string, count: number, textOf: (i: number) => string): Promise<string[]> {
  const batch = `b${randomBytes(4).toString("hex")}`;
  const ids: string[] = [];
  for (let from = 0; from < count; from += 5_000) {
    const chunk = Array.from({ length: Math.min(5_000, count - from) }, (_, k) => from + k);
    const rows = chunk.map((i) => {
      const text = textOf(i);
      const converted = textToDoc(text);
      if (!converted.ok) throw new Error(`not a valid text: ${text}`);
      const doc = JSON.stringify(converted.doc.toJSON());
      return { id: `c${batch}${String(i).padStart(8, "0")}`, text, doc };
    });
    await db.example.createMany({ data: rows.map((row) => ({ id: row.id, projectId, stage: "accepted", createdById: authorId })) });
    await db.revision.createMany({
      data: rows.map((row) => ({ id: `r${row.id}`, exampleId: row.id, number: 1, text: row.text, doc: row.doc, excerpt: excerptOf(row.text), digest: digestOf(row.doc), authorId })),
    });
    ids.push(...rows.map((row) => row.id));
  }
  await db.$executeRaw`UPDATE "Example" SET "headRevisionId" = 'r' || id WHERE "projectId" = ${projectId} AND "headRevisionId" IS NULL`;
  return ids;
}

/** Turns DuckDB's JavaScript values into JSON's: BIGINT to number, recursively inside lists and structs. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** Every row of a JSONL or Parquet file, as DuckDB reads it (JSONL with its own type detection), in file order. */
export async function readRows(file: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  try {
    const source = file.endsWith(".parquet") ? `read_parquet('${file}')` : `read_json('${file}', format = 'newline_delimited', maximum_object_size = 67108864)`;
    const reader = await connection.runAndReadAll(`SELECT * FROM ${source}`);
    return reader.getRowObjectsJS().map((row) => plain(row) as Record<string, unknown>);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
