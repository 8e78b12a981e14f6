import { Component, type ReactNode } from "react";

/** Props of `ErrorBoundary`. */
export interface ErrorBoundaryProps {
  children: ReactNode;
  /** When this changes (the route, say), a caught failure is forgotten and the children are shown again. */
  resetKey?: unknown;
}

/**
 * Catches an error thrown while rendering its children (a document this version of the app
 * cannot read, say), so that one broken page does not blank the whole app: it says what
 * happened and offers a reload. Unsaved text stays in this browser's drafts, which the
 * example page restores after the reload.
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, { error: Error | null; resetKey: unknown }> {
  override state: { error: Error | null; resetKey: unknown } = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: ErrorBoundaryProps, state: { resetKey: unknown }) {
    // Another page: show it, rather than the failure of the last one.
    return props.resetKey === state.resetKey ? null : { error: null, resetKey: props.resetKey };
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section role="alert" className="card page-error">
        <h1>This page could not be shown</h1>
        <p>
          Something went wrong while showing it: {error.message}. Any unsaved text is kept in this browser and comes back when the page loads again.
        </p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload the page
        </button>
      </section>
    );
  }
}
