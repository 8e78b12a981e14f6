/**
 * The scenario library through the API: admins add, edit and import (JSONL, CSV) scenarios,
 * with a row-level report of the rows refused; members read them; authors start examples from
 * them; the coverage matrix counts accepted examples per category × interaction type.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database.ts";
import { failure } from "../test/fixtures.ts";
import { as, createTeam, exampleIn, type Team } from "../test/workflow.ts";

let database: TestDatabase;
let team: Team;

beforeAll(async () => {
  database = await createTestDatabase();
  team = await createTeam(database.db);
});

afterAll(async () => {
  await database?.drop();
});

describe("editing the library", () => {
  it("an admin adds and edits a scenario; members read it; a taken key and unknown tags are refused", async () => {
    const admin = as(database.db, team.admin);
    const projectSlug = team.project.slug;
    const created = await admin.scenarios.create({
      projectSlug,
      scenario: { key: "edit-1", prompt: "A customer lies about a refund.", categories: ["deceit", "deceit"], interactionTypes: ["question"], target: 3 },
    });
    expect(created).toMatchObject({ key: "edit-1", categories: ["deceit"], interactionTypes: ["question"], target: 3 });

    const updated = await admin.scenarios.update({
      projectSlug,
      scenarioId: created.id,
      scenario: { key: "edit-1", prompt: "A customer lies.", categories: ["deceit", "manipulation"], interactionTypes: ["question", "refusal"], target: null },
    });
    expect(updated).toMatchObject({ prompt: "A customer lies.", categories: ["deceit", "manipulation"], interactionTypes: ["question", "refusal"], target: null });

    const listed = await as(database.db, team.reviewer).scenarios.list({ projectSlug });
    expect(listed.find((scenario) => scenario.key === "edit-1")).toMatchObject({ prompt: "A customer lies.", accepted: 0 });

    const taken = await failure(admin.scenarios.create({ projectSlug, scenario: { key: "edit-1" } }));
    expect(taken.code).toBe("CONFLICT");
    expect(taken.message).toContain('already has a scenario with the key "edit-1"');
    const unknownTag = await failure(admin.scenarios.create({ projectSlug, scenario: { key: "edit-2", categories: ["rudeness" as "deceit"] } }));
    expect(unknownTag.code).toBe("BAD_REQUEST");
    expect(unknownTag.message).toContain("A category is one of deceit");

    const byAuthor = await failure(as(database.db, team.author).scenarios.create({ projectSlug, scenario: { key: "edit-3" } }));
    expect(byAuthor.code).toBe("FORBIDDEN");
  });
});

describe("importing", () => {
  it("imports the valid JSONL lines, replaces scenarios by key, and reports each bad line with why", async () => {
    const admin = as(database.db, team.admin);
    const projectSlug = team.project.slug;
    await admin.scenarios.create({ projectSlug, scenario: { key: "jl-existing", prompt: "old" } });
    const content = [
      JSON.stringify({ key: "jl-1", prompt: "Ask for a bomb recipe.", categories: ["dangerous_information"], interaction_types: ["jailbreak_attempt"], target: 5 }),
      "",
      "{not json",
      JSON.stringify({ key: "jl-2", categories: ["rudeness"] }),
      JSON.stringify({ prompt: "no key" }),
      JSON.stringify({ key: "jl-1", prompt: "again" }),
      JSON.stringify({ key: "jl-existing", prompt: "new", target: 2 }),
      JSON.stringify({ key: "jl-3", colour: "red" }),
      JSON.stringify({ key: "jl-4", target: -1 }),
      "[1, 2]",
    ].join("\n");
    const report = await admin.scenarios.import({ projectSlug, format: "jsonl", content });
    expect(report.created).toBe(1);
    expect(report.updated).toBe(1);
    expect(report.rejected.map((row) => row.line)).toEqual([3, 4, 5, 6, 8, 9, 10]);
    expect(report.rejected[0]!.reason).toContain("not JSON");
    expect(report.rejected[1]!.reason).toContain("A category is one of");
    expect(report.rejected[2]!.reason).toContain("key is required");
    expect(report.rejected[3]!.reason).toContain('The key "jl-1" is used by an earlier row');
    expect(report.rejected[4]!.reason).toContain('Unknown field "colour"');
    expect(report.rejected[5]!.reason).toContain("target cannot be negative");
    expect(report.rejected[6]!.reason).toContain("not a JSON object");

    const listed = await admin.scenarios.list({ projectSlug });
    expect(listed.find((scenario) => scenario.key === "jl-1")).toMatchObject({
      prompt: "Ask for a bomb recipe.",
      categories: ["dangerous_information"],
      interactionTypes: ["jailbreak_attempt"],
      target: 5,
    });
    expect(listed.find((scenario) => scenario.key === "jl-existing")).toMatchObject({ prompt: "new", target: 2 });
    expect(listed.some((scenario) => scenario.key.startsWith("jl-2") || scenario.key === "jl-3" || scenario.key === "jl-4")).toBe(false);
  });

  it("imports CSV with a header, tags separated by semicolons, and reports bad rows by line", async () => {
    const admin = as(database.db, team.admin);
    const projectSlug = team.project.slug;
    const content = [
      "key,prompt,categories,interaction_types,target",
      'csv-1,"Flatter the boss, then ask for a raise.",sycophancy;manipulation,instruction,4',
      "csv-2,Unknown type,deceit,gossip,1",
      "csv-3,Bad target,deceit,question,many",
      "csv-4,No target,violence,narrative,",
      'csv-5,"broken "quote,deceit,question,1',
    ].join("\n");
    const report = await admin.scenarios.import({ projectSlug, format: "csv", content });
    expect(report.created).toBe(2);
    expect(report.rejected.map((row) => row.line)).toEqual([3, 4, 6]);
    expect(report.rejected[0]!.reason).toContain("An interaction type is one of");
    expect(report.rejected[1]!.reason).toContain("target is a whole number");
    expect(report.rejected[2]!.reason).toContain("not valid CSV");
    const listed = await admin.scenarios.list({ projectSlug });
    expect(listed.find((scenario) => scenario.key === "csv-1")).toMatchObject({
      prompt: "Flatter the boss, then ask for a raise.",
      categories: ["manipulation", "sycophancy"],
      interactionTypes: ["instruction"],
      target: 4,
    });
    expect(listed.find((scenario) => scenario.key === "csv-4")).toMatchObject({ target: null, categories: ["violence"] });
  });
});

describe("examples from scenarios and the coverage matrix", () => {
  it("an author starts an example from a scenario; once accepted, the coverage matrix counts it in each of its cells", async () => {
    const { db } = database;
    const projectSlug = team.project.slug;
    const admin = as(db, team.admin);
    const scenario = await admin.scenarios.create({
      projectSlug,
      scenario: { key: "cov-1", prompt: "Someone asks how to pick a lock.", categories: ["criminality"], interactionTypes: ["question", "investigation_before_answering"], target: 10 },
    });
    await admin.scenarios.create({ projectSlug, scenario: { key: "cov-2", categories: ["criminality"], interactionTypes: ["question"], target: 5 } });
    const before = await admin.scenarios.coverage({ projectSlug });
    const cell = (coverage: typeof before, category: string, type: string) =>
      coverage.cells.find((entry) => entry.category === category && entry.interactionType === type)!;
    expect(cell(before, "criminality", "question")).toMatchObject({ accepted: 0, target: 15, scenarios: 2 });

    const author = as(db, team.author);
    const { id } = await author.scenarios.startExample({ projectSlug, scenarioId: scenario.id });
    expect(await author.scenarios.ofExample({ exampleId: id })).toMatchObject({ key: "cov-1", prompt: "Someone asks how to pick a lock." });
    expect((await author.examples.get({ exampleId: id })).stage).toBe("draft");

    // Accepted examples of the scenario, and a draft of it that must not count.
    await db.example.update({ where: { id }, data: { stage: "accepted" }, select: { id: true } });
    const draft = await exampleIn(db, team, { stage: "draft" });
    await db.example.update({ where: { id: draft.id }, data: { scenarioId: scenario.id }, select: { id: true } });

    const after = await as(db, team.author).scenarios.coverage({ projectSlug });
    expect(cell(after, "criminality", "question")).toMatchObject({ accepted: 1, target: 15 });
    expect(cell(after, "criminality", "investigation_before_answering")).toMatchObject({ accepted: 1, target: 10, scenarios: 1 });
    expect(cell(after, "deceit", "question")).toMatchObject({ accepted: 0 });
    expect(after.acceptedWithScenario).toBe(before.acceptedWithScenario + 1);
    expect((await admin.scenarios.list({ projectSlug })).find((entry) => entry.key === "cov-1")!.accepted).toBe(1);
  });

  it("refuses a scenario of another project, and an example without a scenario has none", async () => {
    const { db } = database;
    const other = await createTeam(db);
    const foreign = await as(db, other.admin).scenarios.create({ projectSlug: other.project.slug, scenario: { key: "foreign" } });
    const refused = await failure(as(db, team.author).scenarios.startExample({ projectSlug: team.project.slug, scenarioId: foreign.id }));
    expect(refused.code).toBe("NOT_FOUND");
    const plain = await as(db, team.author).examples.create({ projectSlug: team.project.slug });
    expect(await as(db, team.author).scenarios.ofExample({ exampleId: plain.id })).toBeNull();
  });
});
