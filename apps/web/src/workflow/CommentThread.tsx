import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage, useTRPC } from "../trpc.ts";
import { when, type FlagComment } from "./vocabulary.ts";

/** A flag's comment thread, with a field to add to it when `canReply`. */
export function CommentThread({ exampleId, flagId, comments, canReply, flagName }: { exampleId: string; flagId: string; comments: readonly FlagComment[]; canReply: boolean; flagName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [body, setBody] = useState("");
  const comment = useMutation(
    trpc.reviews.comment.mutationOptions({
      onSuccess: async () => {
        setBody("");
        await queryClient.invalidateQueries({ queryKey: trpc.reviews.get.queryKey({ exampleId }) });
      },
    }),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    if (body.trim()) comment.mutate({ exampleId, flagId, body: body.trim() });
  }
  return (
    <div className="comment-thread">
      {comments.length > 0 && (
        <ol aria-label={`Comments on ${flagName}`}>
          {comments.map((c) => (
            <li key={c.id}>
              <span className="comment-author">{c.author.name}</span> <span className="muted">{when(c.createdAt)}</span>
              <p>{c.body}</p>
            </li>
          ))}
        </ol>
      )}
      {canReply && (
        <form onSubmit={submit} className="reply">
          <label>
            <span className="visually-hidden">Comment on {flagName}</span>
            <input value={body} onChange={(event) => setBody(event.target.value)} placeholder="Add a comment" maxLength={4000} />
          </label>
          <button type="submit" className="secondary" disabled={!body.trim() || comment.isPending}>
            Comment<span className="visually-hidden"> on {flagName}</span>
          </button>
          {comment.error && <p role="alert" className="error">{errorMessage(comment.error)}</p>}
        </form>
      )}
    </div>
  );
}
