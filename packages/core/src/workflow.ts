/**
 * The workflow's vocabulary (SPEC §4), shared by the API's checks and the web app's forms.
 */

/** Roles a member can hold in a project; a person may hold several. */
export const ROLES = ["author", "commentator", "reviewer", "adjudicator", "admin"] as const;

/** A project role. */
export type Role = (typeof ROLES)[number];

/** The stages an example moves through; rejected examples are kept, never deleted. */
export const STAGES = ["draft", "commentary", "review", "adjudication", "accepted", "rejected"] as const;

/** A stage of an example. */
export type Stage = (typeof STAGES)[number];

/** What each role does, in words for the people assigning them. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  author: "writes examples",
  commentator: "adds AI commentary on bad behaviour",
  reviewer: "flags defects and gives verdicts",
  adjudicator: "settles disagreements between reviewers",
  admin: "manages members, guidelines and exports",
};
