import type { User } from '../storage/repositories/users-repository.ts';

/** Who is calling, resolved once per request by the one auth pipeline. */
export interface Principal {
  user: User;
  credential: 'access_token' | 'api_key';
  /** Login session behind an access token. */
  sessionId?: string;
  apiKeyId?: string;
  /** Effective level: an API key never grants more than its owner has now. */
  permissionLevel: number;
  isAdmin: boolean;
}

/** Where a request came from, for audit rows and rate limits. */
export interface RequestContext {
  ip: string;
  requestId: string;
  userAgent?: string;
  principal?: Principal;
}
