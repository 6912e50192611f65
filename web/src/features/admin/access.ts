// Whether the signed-in user is an administrator (GET /security/me → is_admin): the shell shows
// the Administration link only to them, and the designer pages refuse others before the API does.
// Kept apart from the designer so the shell's first-visit bundle does not pull the designer in.
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

export const SECURITY_ME_KEY = ['security', 'me'] as const;

/** `enabled` waits for a session (the shell asks only once someone is signed in). */
export function useIsAdmin(enabled = true) {
  const q = useQuery({
    queryKey: SECURITY_ME_KEY,
    enabled,
    queryFn: async () => (await api<{ is_admin: boolean }>('security/me')).data,
    staleTime: 5 * 60_000,
  });
  return { ...q, isAdmin: q.data?.is_admin === true };
}
