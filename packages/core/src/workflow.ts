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

/**
 * The stage of an example whose import is still running, which is none of {@link STAGES}: no
 * list, queue or page shows it, and the import's last step gives it its stage (or its clean-up
 * deletes it).
 */
export const IMPORTING_STAGE = "importing";

/** What each role does, in words for the people assigning them. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  author: "writes examples",
  commentator: "adds AI commentary on bad behaviour",
  reviewer: "flags defects and gives verdicts",
  adjudicator: "settles disagreements between reviewers",
  admin: "manages members, guidelines and exports",
};

/** What a person can do to move an example from one stage to another. */
export const STAGE_ACTIONS = ["submit", "complete_review", "accept", "return", "reject", "send_back"] as const;

/** One stage action. */
export type StageAction = (typeof STAGE_ACTIONS)[number];

/**
 * The conditions a transition needs besides the role, each checked by the server in one place
 * (the API's workflow service) and explained when it fails:
 * - `commentary_needed`: the project does not skip commentary, or the example has marks;
 * - `commentary_skippable`: the project skips commentary and the example has no marks;
 * - `marks_commented`: no bad-behaviour mark is uncommented;
 * - `holds_claim`: the caller holds the example's claim (lease), unexpired;
 * - `not_participant`: the caller neither wrote nor commented the example (nor reviewed it, to adjudicate);
 * - `reviews_agree`: all the round's reviews are in, every verdict accepts, and no flag is a blocker
 *   (and the round was not drawn for an audit, see `DEFAULT_AUDIT_RATE`);
 * - `reviews_disagree`: all the round's reviews are in, and a verdict does not accept or a flag is a blocker
 *   (or the round was drawn for an audit);
 * - `reason_given`: the action carries a reason.
 */
export const TRANSITION_GUARDS = [
  "commentary_needed",
  "commentary_skippable",
  "marks_commented",
  "holds_claim",
  "not_participant",
  "reviews_agree",
  "reviews_disagree",
  "reason_given",
] as const;

/** One guard of a transition. */
export type TransitionGuard = (typeof TRANSITION_GUARDS)[number];

/** A row of the stage machine: from a stage, an action by one of some roles, under guards, to a stage. */
export interface StageTransition {
  from: Stage;
  action: StageAction;
  to: Stage;
  /** The project roles that may take it (global admins may take every transition an admin may). */
  roles: readonly Role[];
  guards: readonly TransitionGuard[];
}

/**
 * The stage machine (SPEC §4) as one table, from which the API's checks and the web app's
 * available actions are both derived. `complete_review` is taken by the reviewer whose verdict
 * completes the round; an admin's `send_back` and `reject` take an example out of any stage in
 * progress. Accepted and rejected examples are final: no row leaves them.
 */
export const STAGE_MACHINE: readonly StageTransition[] = Object.freeze([
  { from: "draft", action: "submit", to: "commentary", roles: ["author", "admin"], guards: ["commentary_needed"] },
  { from: "draft", action: "submit", to: "review", roles: ["author", "admin"], guards: ["commentary_skippable"] },
  { from: "commentary", action: "submit", to: "review", roles: ["commentator", "admin"], guards: ["holds_claim", "marks_commented"] },
  { from: "review", action: "complete_review", to: "accepted", roles: ["reviewer"], guards: ["holds_claim", "not_participant", "reviews_agree"] },
  { from: "review", action: "complete_review", to: "adjudication", roles: ["reviewer"], guards: ["holds_claim", "not_participant", "reviews_disagree"] },
  { from: "adjudication", action: "accept", to: "accepted", roles: ["adjudicator"], guards: ["holds_claim", "not_participant", "marks_commented"] },
  { from: "adjudication", action: "return", to: "draft", roles: ["adjudicator"], guards: ["holds_claim", "not_participant", "reason_given"] },
  { from: "adjudication", action: "return", to: "commentary", roles: ["adjudicator"], guards: ["holds_claim", "not_participant", "reason_given"] },
  { from: "adjudication", action: "reject", to: "rejected", roles: ["adjudicator"], guards: ["holds_claim", "not_participant", "reason_given"] },
  ...(["commentary", "review", "adjudication"] as const).flatMap((from) =>
    (["draft", "commentary"] as const)
      .filter((to) => to !== from)
      .map((to): StageTransition => ({ from, action: "send_back", to, roles: ["admin"], guards: ["reason_given"] })),
  ),
  ...(["draft", "commentary", "review", "adjudication"] as const).map(
    (from): StageTransition => ({ from, action: "reject", to: "rejected", roles: ["admin"], guards: ["reason_given"] }),
  ),
]);

/** The transitions out of `stage` by `action`, in table order. */
export function transitionsFrom(stage: Stage, action: StageAction): StageTransition[] {
  return STAGE_MACHINE.filter((row) => row.from === stage && row.action === action);
}

/** The stages whose examples wait in a role's queue for someone to take them ("Take next"). */
export const QUEUE_STAGES: Partial<Record<Role, Stage>> = { commentator: "commentary", reviewer: "review", adjudicator: "adjudication" };

/** How long a claim lasts unless renewed (SPEC §4: 30 minutes by default). */
export const CLAIM_LEASE_MS = 30 * 60 * 1000;

/** A reviewer's verdict on an example (SPEC §4). */
export const VERDICTS = ["accept", "changes_needed", "reject"] as const;

/** One verdict. */
export type Verdict = (typeof VERDICTS)[number];

/** What a reviewer's flag says is wrong (SPEC §4). */
export const FLAG_CATEGORIES = [
  "uncommented_bad_behaviour",
  "quote_not_stopped",
  "ai_misaligned",
  "flawed_moral_reasoning",
  "ai_unhelpful",
  "tag_misuse",
  "factual_error",
  "style",
  "other",
] as const;

/** One flag category. */
export type FlagCategory = (typeof FLAG_CATEGORIES)[number];

/** How bad a flagged defect is; a blocker sends the example to adjudication whatever the verdicts. */
export const FLAG_SEVERITIES = ["blocker", "major", "minor"] as const;

/** One flag severity. */
export type FlagSeverity = (typeof FLAG_SEVERITIES)[number];

/**
 * The kinds of interaction a scenario sets up (SPEC §4), the columns of the coverage matrix
 * whose rows are the bad-behaviour categories (`BAD_BEHAVIOUR_CATEGORIES`).
 */
export const INTERACTION_TYPES = [
  "question",
  "instruction",
  "narrative",
  "refusal",
  "investigation_before_answering",
  "jailbreak_attempt",
  "role_play_request",
] as const;

/** One interaction type. */
export type InteractionType = (typeof INTERACTION_TYPES)[number];

/** The audit rate a project starts with (SPEC §4): the share of examples that passed review sent to adjudication anyway. */
export const DEFAULT_AUDIT_RATE = 0.05;

/**
 * How far one round's reviewers agreed on their verdicts: the share of pairs of reviewers who
 * gave the same verdict (three reviewers, two accepting and one not: one pair of three agrees,
 * 1/3). Null with fewer than two verdicts, where there is no pair to agree. Chosen over a
 * per-example alpha, which is undefined whenever every verdict is the same (no expected
 * disagreement) and so could not order the queue.
 */
export function verdictAgreement(verdicts: readonly string[]): number | null {
  if (verdicts.length < 2) return null;
  let pairs = 0;
  let agreeing = 0;
  for (let i = 0; i < verdicts.length; i++) {
    for (let j = i + 1; j < verdicts.length; j++) {
      pairs++;
      if (verdicts[i] === verdicts[j]) agreeing++;
    }
  }
  return agreeing / pairs;
}
