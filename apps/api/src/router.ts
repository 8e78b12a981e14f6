/**
 * The API: every procedure the web app (and tests) can call, grouped by subject. The web
 * app imports only `type AppRouter`.
 */
import { adjudicationRouter } from "./routers/adjudication.ts";
import { assistRouter } from "./routers/assist.ts";
import { auditRouter } from "./routers/audit.ts";
import { authRouter } from "./routers/auth.ts";
import { claimsRouter } from "./routers/claims.ts";
import { exportsRouter, importsRouter, jobsRouter } from "./routers/data.ts";
import { examplesRouter } from "./routers/examples.ts";
import { guidelinesRouter } from "./routers/guidelines.ts";
import { membersRouter } from "./routers/members.ts";
import { projectsRouter } from "./routers/projects.ts";
import { qualityRouter } from "./routers/quality.ts";
import { reviewsRouter } from "./routers/reviews.ts";
import { scenariosRouter } from "./routers/scenarios.ts";
import { usersRouter } from "./routers/users.ts";
import { workRouter } from "./routers/work.ts";
import { workflowRouter } from "./routers/workflow.ts";
import type { inferRouterOutputs } from "@trpc/server";
import { router } from "./trpc.ts";

/** The whole API. */
export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  projects: projectsRouter,
  members: membersRouter,
  guidelines: guidelinesRouter,
  examples: examplesRouter,
  claims: claimsRouter,
  workflow: workflowRouter,
  reviews: reviewsRouter,
  adjudication: adjudicationRouter,
  audit: auditRouter,
  work: workRouter,
  quality: qualityRouter,
  scenarios: scenariosRouter,
  imports: importsRouter,
  exports: exportsRouter,
  jobs: jobsRouter,
  assist: assistRouter,
});

/** The API's type, for the web app's tRPC client. */
export type AppRouter = typeof appRouter;

/** What each procedure returns, as the web app receives it (`RouterOutputs["examples"]["get"]`). */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
