import MarkdownIt from "markdown-it";
import { useMemo } from "react";

/**
 * Raw HTML in the source is escaped (`html: false`) and markdown-it refuses `javascript:`
 * and similar links, so guideline text cannot inject script into the page.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

/** Renders trusted-shape Markdown (guidelines) safely. */
export function Markdown({ source, className }: { source: string; className?: string }) {
  const html = useMemo(() => markdown.render(source), [source]);
  return <div className={className} dangerouslySetInnerHTML={{ __html: html }} />;
}
