// The hidden CSRF field every server-rendered form posts (checked by the CSRF middleware).
export function Csrf(p: { token: string }) {
  return <input type="hidden" name="_csrf" value={p.token} />;
}
