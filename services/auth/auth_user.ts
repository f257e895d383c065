// Who is acting: the signed-in user as handlers and domain requests see it.
export interface AuthUser {
  id: number;
  username: string;
  role: "admin" | "editor" | "viewer";
  must_change_password: boolean;
}
