/**
 * Model assistance in Chromium (issue 9), against a local model server started by this spec
 * (`apps/api/src/test/model-server.ts`, the chat-completions protocol on 127.0.0.1): an admin
 * connects the project and tests the connection; a commentator asks for a draft of commentary
 * on an uncommented mark, watches it arrive, edits and accepts it, and the saved revision is
 * model-drafted with the model's name; an admin runs a grader, and its flag is shown to a
 * reviewer as a suggestion that the reviewer accepts as their own flag; an admin grades an
 * import from its report on the project page.
 */
import { expect, test } from "@playwright/test";
import { BAD, connectModel, DRAFT, GRADER, GRADER_COMMENT, MODEL, useModelServer } from "./assist-steps.ts";
import { api, personPage, setUpProject, takeNext } from "./workflow-steps.ts";

const model = useModelServer();

test("a commentator accepts an edited model draft, and a grader's flag reaches a reviewer as a suggestion", async ({ browser, page }) => {
  test.setTimeout(120_000);
  const { slug, people } = await setUpProject(page, ["author", "commentator", "reviewer"] as const);
  await api(page, "projects.updateSettings", { projectSlug: slug, settings: { reviewersPerExample: 1 } });

  // The admin connects the project to the model server and adds a grader.
  await page.goto(`/projects/${slug}/settings`);
  await page.getByLabel("Base URL").fill(model().baseUrl);
  await page.getByLabel("Model", { exact: true }).fill(MODEL);
  await page.getByRole("button", { name: "Add grader" }).click();
  await page.getByLabel("Grader name").fill(GRADER.name);
  await page.getByLabel("Instructions").fill(GRADER.instructions);
  await page.getByRole("button", { name: "Save model settings" }).click();
  await expect(page.getByText("Model settings saved.")).toBeVisible();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText(`${MODEL} at ${model().baseUrl} answered: "ready".`)).toBeVisible();

  // An author writes an example with an uncommented bad-behaviour mark and submits it.
  const author = await personPage(browser, people.author);
  const { id } = await api<{ id: string }>(author.page, "examples.create", { projectSlug: slug });
  const example = await api<{ head: { id: string } }>(author.page, "examples.get", { exampleId: id }, "query");
  const doc = {
    type: "doc",
    content: [
      {
        type: "paragraph",
        content: [
          { type: "text", text: BAD, marks: [{ type: "bad_behaviour", attrs: { id: "bb-e2e", category: "deceit", commentary: null } }] },
          { type: "text", text: " Then go home." },
        ],
      },
    ],
  };
  await api(author.page, "examples.save", { exampleId: id, baseRevisionId: example.head.id, doc });
  await api(author.page, "workflow.act", { exampleId: id, action: "submit" });
  await author.context.close();

  // The commentator takes it, asks for a draft, sees it arrive, edits it and accepts it.
  const commentator = await personPage(browser, people.commentator);
  await takeNext(commentator.page, slug, "commentator");
  await expect(commentator.page).toHaveURL(new RegExp(`/examples/${id}$`));
  await commentator.page.getByRole("button", { name: /^Draft commentary for/ }).click();
  const stream = commentator.page.getByRole("status", { name: "Draft as it arrives" });
  await expect(stream).toContainText("Lying to your boss");
  const box = commentator.page.getByLabel("Drafted commentary", { exact: true });
  await expect(box).toHaveValue(DRAFT);
  await expect(commentator.page.getByText(`Drafted by ${MODEL}.`)).toBeVisible();
  const edited = DRAFT.replace("is advice I cannot give.", "is advice I will not give; talk to your boss honestly instead.");
  await box.fill(edited);
  await commentator.page.getByRole("button", { name: "Accept draft" }).click();
  await expect(commentator.page.getByRole("list", { name: "Commented marks" })).toContainText("commented by AI span 1");
  await expect(commentator.page.locator(".ProseMirror")).toContainText("talk to your boss honestly instead");
  // The save that follows is model-drafted, with the model's name, in the history and the API.
  await expect(commentator.page.getByRole("region", { name: "History" })).toContainText(`model-drafted (${MODEL})`);
  const revisions = await api<{ number: number; modelDrafted: boolean; draftModel: string | null }[]>(commentator.page, "examples.revisions", { exampleId: id }, "query");
  expect(revisions[0]).toMatchObject({ modelDrafted: true, draftModel: MODEL });
  const head = await api<{ head: { text: string } }>(commentator.page, "examples.get", { exampleId: id }, "query");
  expect(head.head.text).toBe(`${BAD}<AI>${edited}</AI> Then go home.`);
  await api(commentator.page, "workflow.act", { exampleId: id, action: "submit" });
  await commentator.context.close();

  // The admin runs the grader over the examples in review and watches it finish.
  await page.goto(`/projects/${slug}/settings`);
  await page.getByRole("button", { name: "Run graders" }).click();
  await expect(page.getByRole("list", { name: "Grading runs" })).toContainText("1 graded, 0 already graded, 0 answers refused");

  // The reviewer sees the grader's flag as a suggestion and makes it their own.
  const reviewer = await personPage(browser, people.reviewer);
  await takeNext(reviewer.page, slug, "reviewer");
  const suggestions = reviewer.page.getByRole("list", { name: "Graders' suggestions" });
  await expect(suggestions).toContainText("ai unhelpful");
  await expect(suggestions).toContainText(`by ${GRADER.name}`);
  await expect(suggestions).toContainText(GRADER_COMMENT);
  await expect(reviewer.page.getByRole("heading", { name: "Your flags (0)" })).toBeVisible();
  await suggestions.getByRole("button", { name: /^Accept suggestion/ }).click();
  await expect(reviewer.page.getByRole("heading", { name: "Your flags (1)" })).toBeVisible();
  await expect(reviewer.page.getByRole("heading", { name: "Graders' suggestions (0)" })).toBeVisible();
  await reviewer.context.close();
});

test("an admin grades an import from the project page once the project has a grader, and a reviewer gets its suggestion", async ({ browser, page }) => {
  test.setTimeout(90_000);
  const { slug, people } = await setUpProject(page, ["reviewer"] as const);
  await api(page, "projects.updateSettings", { projectSlug: slug, settings: { reviewersPerExample: 1 } });

  // Imported before the project has a model: the report offers no grading.
  await page.goto(`/projects/${slug}`);
  const status = page.waitForResponse((response) => response.url().includes("assist.status"));
  await page.getByLabel("File to import").setInputFiles({
    name: "to-grade.jsonl",
    mimeType: "application/x-ndjson",
    buffer: Buffer.from(`${JSON.stringify({ text: `${BAD} Then go home.` })}\n`),
  });
  await page.getByLabel("Import into stage").selectOption("review");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  const entry = page.getByRole("listitem", { name: "Import of to-grade.jsonl" });
  await expect(entry.getByRole("group", { name: "Import report" })).toContainText("1 imported, 0 skipped, 0 rejected of 1 lines.");
  await status;
  await expect(entry.getByRole("button", { name: "Grade this import" })).toHaveCount(0);

  // Once a grader is configured, the admin grades the import and watches the run finish.
  await connectModel(page, slug, model().baseUrl);
  await page.reload();
  await entry.getByRole("button", { name: "Grade this import" }).click();
  await expect(entry.getByRole("list", { name: "Grading runs of this import" })).toContainText("1 graded, 0 already graded, 0 answers refused.");

  // The reviewer sees the grader's flag on the imported example.
  const reviewer = await personPage(browser, people.reviewer);
  await takeNext(reviewer.page, slug, "reviewer");
  const suggestions = reviewer.page.getByRole("list", { name: "Graders' suggestions" });
  await expect(suggestions).toContainText(`by ${GRADER.name}`);
  await expect(suggestions).toContainText(GRADER_COMMENT);
  await reviewer.context.close();
});
