/**
 * The API: every procedure the web app (and tests) can call, grouped by subject. The web
 * app imports only `type AppRouter`.
 */
import { authRouter } from "./routers/auth.ts";
import { examplesRouter } from "./routers/examples.ts";
import { guidelinesRouter } from "./routers/guidelines.ts";
import { membersRouter } from "./routers/members.ts";
import { projectsRouter } from "./routers/projects.ts";
import { usersRouter } from "./routers/users.ts";
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
});

/** The API's type, for the web app's tRPC client. */
export type AppRouter = typeof appRouter;

/** What each procedure returns, as the web app receives it (`RouterOutputs["examples"]["get"]`). */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
