import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage, useTRPC } from "../trpc.ts";

/** Global admins list and create accounts here. A generated password is shown once. */
export function UsersPage() {
  const trpc = useTRPC();
  const users = useQuery(trpc.users.list.queryOptions());
  return (
    <section>
      <h1>Users</h1>
      {users.error && <p role="alert" className="error">{errorMessage(users.error)}</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Name</th>
            <th scope="col">Global admin</th>
          </tr>
        </thead>
        <tbody>
          {users.data?.map((user) => (
            <tr key={user.id}>
              <td>{user.email}</td>
              <td>{user.name}</td>
              <td>{user.isAdmin ? "yes" : "no"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <CreateUserForm />
    </section>
  );
}

function CreateUserForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: async () => {
        setEmail("");
        setName("");
        setPassword("");
        await queryClient.invalidateQueries(trpc.users.list.queryFilter());
      },
    }),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ email, name, password: password || undefined });
  }
  return (
    <form onSubmit={submit} className="card inline-form" aria-labelledby="new-user">
      <h2 id="new-user">New user</h2>
      <label>
        New user email
        <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Initial password
        <input type="password" autoComplete="new-password" placeholder="leave empty to generate" value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      <button type="submit" disabled={create.isPending}>Create user</button>
      {create.error && <p role="alert" className="error">{errorMessage(create.error)}</p>}
      {create.data?.generatedPassword && (
        <p role="status" className="notice">
          Created {create.data.user.email}. Their password, shown only now: <code>{create.data.generatedPassword}</code>
        </p>
      )}
    </form>
  );
}
