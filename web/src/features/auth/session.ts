// The cookie session: who is signed in, signing in (with the MFA step) and out.
import { useQuery } from '@tanstack/react-query';
import { ApiError, api } from '../../api/client';
import type { LoginRequest, LoginResponse, Me, MFAVerifyRequest } from '../../api/types';

export const ME_KEY = ['auth', 'me'] as const;

/** The signed-in user, or null when there is no session. */
export function useMe() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async (): Promise<Me | null> => {
      try {
        return (await api<Me>('auth/me')).data;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 5 * 60_000,
    retry: false,
  });
}

export async function signIn(email: string, password: string, tenant: string): Promise<LoginResponse> {
  const body: LoginRequest = { email, password, session: 'cookie' };
  if (tenant.trim()) body.tenant = tenant.trim();
  return (await api<LoginResponse>('auth/login', { method: 'POST', body })).data;
}

export async function verifyMfa(challenge: string, code: string, tenant: string): Promise<LoginResponse> {
  const body: MFAVerifyRequest = { challenge, code: code.trim() };
  const headers: Record<string, string> = tenant.trim() ? { 'X-Meridian-Tenant': tenant.trim() } : {};
  return (await api<LoginResponse>('auth/mfa/verify', { method: 'POST', body, headers })).data;
}

export async function signOut(): Promise<void> {
  await api('auth/logout', { method: 'POST' });
}

/** What a password change ended (POST /auth/password). */
export interface PasswordChanged {
  revoked_sessions: number;
  revoked_api_keys: number;
  api_keys: number;
}

/** Changes the signed-in person's password; this session stays signed in, the others end. */
export async function changePassword(current: string, next: string, revokeApiKeys: boolean): Promise<PasswordChanged> {
  const body = { current_password: current, new_password: next, ...(revokeApiKeys ? { revoke_api_keys: true } : {}) };
  return (await api<PasswordChanged>('auth/password', { method: 'POST', body })).data;
}
