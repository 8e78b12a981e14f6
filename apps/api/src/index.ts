/**
 * `@prealign/api`: the server and the API's type. The web app imports only `type AppRouter`.
 */
export { appRouter, type AppRouter, type RouterOutputs } from "./router.ts";
export { createServer, type ServerOptions } from "./server.ts";
export { createDb, type Db } from "./db/database.ts";
