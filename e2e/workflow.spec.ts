/**
 * Done-when 4 of the workflow issue, each step as a different person in a browser context of
 * their own: the author writes and submits; the commentator is refused by the gate, comments
 * the mark and submits; two reviewers disagree (one flags uncommented bad behaviour as a
 * blocker); the adjudicator upholds the flag and returns the example to commentary; the
 * commentator sees the flag on the current text, fixes it and submits; review passes; the
 * example is accepted and its audit log shows every step. The review and adjudication pages
 * are checked with axe-core, at 360 px wide, and driven from the keyboard where a reviewer works.
 */
import { expect, test, type Page } from "@playwright/test";
import { editor, placeCursorAfter, selectText, setTaggedText, type } from "./editor-steps.ts";
import { expectNoSidewaysScroll, personPage, selectedText, seriousViolations, setUpProject, stage, takeNext } from "./workflow-steps.ts";

const TEXT = "He stole the money. He lied to his boss.\n<AI>Stealing takes what others earned; I would give it back.</AI>";

function saveStatus(page: Page) {
  return page.getByRole("status", { name: "Save status" });
}

/** Waits until the editor's edits are saved. */
async function saved(page: Page): Promise<void> {
  await expect(saveStatus(page)).toContainText("Saved as revision");
}

/** The text under the flag highlights of the page's editor or reviewed text. */
function highlighted(page: Page): Promise<string> {
  return editor(page).locator(".flag-highlight").allTextContents().then((parts) => parts.join(""));
}

test("an example goes from draft through commentary, review and adjudication to accepted, each step by another person", async ({ browser, page: adminPage }) => {
  test.setTimeout(240_000);
  const { slug, people } = await setUpProject(adminPage, ["author", "commentator", "reviewer1", "reviewer2", "adjudicator"] as const);

  // The author writes an example with a bad-behaviour mark and no commentary, and submits it.
  const author = (await personPage(browser, people.author)).page;
  await author.goto(`/projects/${slug}`);
  await author.getByRole("button", { name: "New example" }).click();
  await expect(author).toHaveURL(/\/examples\/[^/]+$/);
  const exampleId = author.url().split("/").pop()!;
  await expect(stage(author)).toHaveText("draft");
  await setTaggedText(author, TEXT);
  await selectText(author, "stole the money");
  await author.getByLabel("Category").selectOption("criminality");
  await author.getByRole("button", { name: "Mark bad behaviour" }).click();
  // Only the author's own actions are offered: submitting, not accepting or reviewing.
  await expect(author.getByRole("button", { name: "Accept" })).toHaveCount(0);
  await author.getByRole("button", { name: "Submit for commentary" }).click();
  await expect(stage(author)).toHaveText("commentary");
  await expect(author.getByRole("button", { name: "Submit for commentary" })).toHaveCount(0);

  // The commentator takes it; the gate refuses to let it go with the mark uncommented and takes
  // them to the mark; they link it to the AI span and submit.
  const commentator = (await personPage(browser, people.commentator)).page;
  await takeNext(commentator, slug, "commentator");
  await expect(commentator).toHaveURL(`/examples/${exampleId}`);
  await expect(commentator.getByRole("group", { name: "Claim" })).toContainText("You hold this example");
  await commentator.getByRole("button", { name: "Submit for review" }).click();
  await expect(commentator.getByRole("list", { name: "Marks without commentary" })).toContainText("stole the money");
  await expect.poll(() => selectedText(commentator)).toBe("stole the money");
  await expect(stage(commentator)).toHaveText("commentary");
  await commentator.getByLabel("Commented by").selectOption({ index: 1 });
  await commentator.getByRole("button", { name: "Link “stole the money” to the chosen AI span" }).click();
  await saved(commentator);
  await commentator.getByRole("button", { name: "Submit for review" }).click();
  await expect(stage(commentator)).toHaveText("review");

  // The first reviewer flags the lie, which nobody commented, as a blocker, from the keyboard.
  const reviewer1 = (await personPage(browser, people.reviewer1)).page;
  await takeNext(reviewer1, slug, "reviewer");
  await expect(reviewer1).toHaveURL(`/examples/${exampleId}/review`);
  await expect(reviewer1.getByRole("textbox", { name: "Reviewed text" })).toContainText("He lied to his boss.");
  await expect(reviewer1.getByRole("heading", { name: /^Guidelines/ })).toBeVisible();
  expect(await seriousViolations(reviewer1)).toEqual([]);
  await selectText(reviewer1, "lied to his boss");
  await reviewer1.keyboard.press("f");
  await expect(reviewer1.getByLabel("Category")).toBeFocused();
  await reviewer1.getByLabel("Category").selectOption("uncommented_bad_behaviour");
  await reviewer1.keyboard.press("Tab");
  await reviewer1.getByLabel("Severity").selectOption("blocker");
  await reviewer1.keyboard.press("Tab");
  await reviewer1.keyboard.type("Lying to his boss is bad behaviour with no AI commentary.");
  await reviewer1.keyboard.press("Tab");
  await reviewer1.keyboard.press("Enter");
  const flags1 = reviewer1.getByRole("list", { name: "Your flags" });
  await expect(flags1).toContainText("lied to his boss");
  await expect(flags1).toContainText("blocker");
  await expect.poll(() => highlighted(reviewer1)).toBe("lied to his boss");
  await expect(reviewer1.getByRole("textbox", { name: "Reviewed text" })).toBeFocused();
  await reviewer1.keyboard.press("c");
  await expect(reviewer1.getByLabel("Changes needed")).toBeChecked();
  await reviewer1.keyboard.press("Enter");
  await expect(reviewer1.getByText(/^Nothing to take/)).toBeVisible();

  // The second reviewer, on a phone-sized screen, sees nothing of the first review and accepts.
  const reviewer2 = (await personPage(browser, people.reviewer2, { width: 360 })).page;
  await takeNext(reviewer2, slug, "reviewer");
  await expect(reviewer2).toHaveURL(`/examples/${exampleId}/review`);
  await expect(reviewer2.getByRole("textbox", { name: "Reviewed text" })).toContainText("He lied to his boss.");
  await expectNoSidewaysScroll(reviewer2);
  await expect(reviewer2.getByRole("heading", { name: "Other reviews" })).toHaveCount(0);
  await expect(reviewer2.locator(".flag-highlight")).toHaveCount(0);
  await reviewer2.getByRole("textbox", { name: "Reviewed text" }).focus();
  await reviewer2.keyboard.press("a");
  await expect(reviewer2.getByLabel("Accept")).toBeChecked();
  await reviewer2.keyboard.press("Enter");
  await expect(reviewer2.getByText(/^Nothing to take/)).toBeVisible();

  // The adjudicator sees both reviews side by side and the flag on the text with who raised it,
  // upholds it and returns the example to commentary.
  const adjudicator = (await personPage(browser, people.adjudicator, { width: 360 })).page;
  await takeNext(adjudicator, slug, "adjudicator");
  await expect(adjudicator).toHaveURL(`/examples/${exampleId}/adjudicate`);
  await expect(adjudicator.getByRole("region", { name: `Review by ${people.reviewer1.name}` })).toContainText("Changes needed");
  await expect(adjudicator.getByRole("region", { name: `Review by ${people.reviewer2.name}` })).toContainText("Accept");
  await expect.poll(() => highlighted(adjudicator)).toBe("lied to his boss");
  await expect(editor(adjudicator).locator(".flag-highlight").first()).toHaveAttribute("title", new RegExp(`raised by ${people.reviewer1.name}`));
  await expectNoSidewaysScroll(adjudicator);
  expect(await seriousViolations(adjudicator)).toEqual([]);
  const uphold = adjudicator.getByRole("button", { name: "Uphold uncommented bad behaviour “lied to his boss”" });
  await uphold.click();
  await expect(uphold).toHaveAttribute("aria-pressed", "true");
  await adjudicator.getByRole("button", { name: "Return to commentary" }).click();
  await adjudicator.getByLabel("Reason for “Return to commentary”").fill("The lie to his boss needs AI commentary.");
  await adjudicator.getByRole("button", { name: "Confirm: Return to commentary" }).click();
  await expect(adjudicator).toHaveURL(`/examples/${exampleId}`);
  await expect(stage(adjudicator)).toHaveText("commentary");

  // Before taking it, the commentator may not submit it, and is told why.
  await commentator.goto(`/examples/${exampleId}`);
  const submit = commentator.getByRole("button", { name: "Submit for review" });
  await expect(submit).toBeDisabled();
  await expect(submit).toHaveAccessibleDescription(/You have not taken this example/);

  // The commentator sees the upheld flag on the current text, which follows their edits (and a
  // reload, mapped through the saved changes), fixes it and submits.
  await takeNext(commentator, slug, "commentator");
  await expect(commentator).toHaveURL(`/examples/${exampleId}`);
  const toAddress = commentator.getByRole("list", { name: "Flags to address" });
  await expect(toAddress).toContainText("uncommented bad behaviour");
  await expect(toAddress).toContainText("blocker");
  await expect(toAddress).toContainText("Lying to his boss is bad behaviour with no AI commentary.");
  await expect.poll(() => highlighted(commentator)).toBe("lied to his boss");
  // Text typed before the flagged words moves them.
  await placeCursorAfter(commentator, ". ");
  await type(commentator, "Later that day ");
  await expect.poll(() => highlighted(commentator)).toBe("lied to his boss");
  await placeCursorAfter(commentator, "give it back.");
  await type(commentator, " Lying to his boss betrays his trust.");
  await saved(commentator);
  await commentator.reload();
  await expect.poll(() => highlighted(commentator)).toBe("lied to his boss");
  await commentator.getByRole("button", { name: /^Show in text/ }).click();
  await expect.poll(() => selectedText(commentator)).toBe("lied to his boss");
  await commentator.getByLabel("Category").selectOption("deceit");
  await commentator.getByLabel("Commented by").selectOption({ index: 1 });
  await commentator.getByRole("button", { name: "Mark bad behaviour" }).click();
  await expect(commentator.getByRole("heading", { name: "Uncommented marks (0)" })).toBeVisible();
  await saved(commentator);
  await commentator.getByRole("button", { name: "Submit for review" }).click();
  await expect(stage(commentator)).toHaveText("review");

  // Round two: both reviewers accept, each blind to the other until they submit.
  for (const reviewer of [reviewer1, reviewer2]) {
    await takeNext(reviewer, slug, "reviewer");
    await expect(reviewer).toHaveURL(`/examples/${exampleId}/review`);
    await expect(reviewer.getByRole("textbox", { name: "Reviewed text" })).toContainText("Lying to his boss betrays his trust.");
    await expect(reviewer.getByRole("heading", { name: "Other reviews" })).toHaveCount(0);
    await reviewer.getByLabel("Accept").check();
    await reviewer.getByRole("button", { name: "Submit and take next" }).click();
    await expect(reviewer.getByText(/^Nothing to take/)).toBeVisible();
  }
  await author.goto(`/examples/${exampleId}`);
  await expect(stage(author)).toHaveText("accepted");

  // The audit log shows every stage change from the example's creation, who made it and why, newest first.
  await adminPage.goto(`/projects/${slug}/audit?example=${exampleId}&action=example.stage`);
  const rows = adminPage.locator("tbody tr");
  await expect(rows).toHaveCount(7);
  const cells = (label: string) => rows.locator(`td[data-label="${label}"]`).allTextContents();
  expect(await cells("From")).toEqual(["review", "commentary", "adjudication", "review", "commentary", "draft", "—"]);
  expect(await cells("To")).toEqual(["accepted", "review", "commentary", "adjudication", "review", "commentary", "draft"]);
  const { author: a, commentator: c, reviewer2: r2, adjudicator: j } = people;
  expect(await cells("Who")).toEqual([r2.name, c.name, j.name, r2.name, c.name, a.name, a.name]);
  expect((await cells("Reason"))[2]).toBe("The lie to his boss needs AI commentary.");
});
