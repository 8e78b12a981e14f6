import { useMutation, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, type ReactNode } from "react";
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from "react-router";
import { ErrorBoundary } from "./components/ErrorBoundary.tsx";
import { AuditPage } from "./pages/AuditPage.tsx";
import { AdjudicationPage } from "./pages/AdjudicationPage.tsx";
import { ExamplePage } from "./pages/ExamplePage.tsx";
import { ExportsPage } from "./pages/ExportsPage.tsx";
import { LoginPage } from "./pages/LoginPage.tsx";
import { MyWorkPage } from "./pages/MyWorkPage.tsx";
import { ProjectPage } from "./pages/ProjectPage.tsx";
import { ProjectsPage } from "./pages/ProjectsPage.tsx";
import { ReviewPage } from "./pages/ReviewPage.tsx";
import { ScenariosPage } from "./pages/ScenariosPage.tsx";
import { SettingsPage } from "./pages/SettingsPage.tsx";
import { UsersPage } from "./pages/UsersPage.tsx";
import { useSession } from "./session.ts";
import { errorMessage, useTRPC } from "./trpc.ts";

/** The dashboard and its charting library load as a chunk of their own, so that other pages never pay for them. */
const DashboardPage = lazy(() => import("./pages/DashboardPage.tsx").then((module) => ({ default: module.DashboardPage })));

/**
 * Routes of the studio. Everything but the login page needs a session. A page that fails while
 * rendering shows what happened instead of blanking the app; going elsewhere starts afresh.
 */
export function App() {
  const location = useLocation();
  return (
    <ErrorBoundary resetKey={location.pathname}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/" element={<SignedIn><MyWorkPage /></SignedIn>} />
        <Route path="/projects" element={<SignedIn><ProjectsPage /></SignedIn>} />
        <Route path="/users" element={<SignedIn><UsersPage /></SignedIn>} />
        <Route path="/projects/:slug" element={<SignedIn><ProjectPage /></SignedIn>} />
        <Route path="/projects/:slug/settings" element={<SignedIn><SettingsPage /></SignedIn>} />
        <Route path="/projects/:slug/audit" element={<SignedIn><AuditPage /></SignedIn>} />
        <Route path="/projects/:slug/exports" element={<SignedIn><ExportsPage /></SignedIn>} />
        <Route path="/projects/:slug/scenarios" element={<SignedIn><ScenariosPage /></SignedIn>} />
        <Route path="/projects/:slug/dashboard" element={<SignedIn><Suspense fallback={<p className="loading" role="status">Loading…</p>}><DashboardPage /></Suspense></SignedIn>} />
        <Route path="/examples/:id" element={<SignedIn><ExamplePage /></SignedIn>} />
        <Route path="/examples/:id/review" element={<SignedIn><ReviewPage /></SignedIn>} />
        <Route path="/examples/:id/adjudicate" element={<SignedIn><AdjudicationPage /></SignedIn>} />
        <Route path="*" element={<SignedIn><NotFound /></SignedIn>} />
      </Routes>
    </ErrorBoundary>
  );
}

/** Shows its children inside the studio frame, or sends an anonymous visitor to log in. */
function SignedIn({ children }: { children: ReactNode }) {
  const { user, isLoading, error } = useSession();
  const location = useLocation();
  if (isLoading) return <p className="loading" role="status">Loading…</p>;
  if (error) return <p role="alert" className="error">{errorMessage(error)}</p>;
  if (!user) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  return (
    <>
      <Header email={user.email} isAdmin={user.isAdmin} />
      <main>{children}</main>
    </>
  );
}

function Header({ email, isAdmin }: { email: string; isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSuccess: async () => {
        queryClient.clear();
        await navigate("/login");
      },
    }),
  );
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        Prealign Studio
      </Link>
      <nav aria-label="Main">
        <Link to="/">My work</Link>
        <Link to="/projects">Projects</Link>
        {isAdmin && <Link to="/users">Users</Link>}
      </nav>
      <span className="whoami">{email}</span>
      <button type="button" className="secondary" onClick={() => logout.mutate()} disabled={logout.isPending}>
        Log out
      </button>
    </header>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. Go back to <Link to="/">your projects</Link>.
      </p>
    </section>
  );
}
