import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
}

const issuer = 'colloquy';
const audience = 'colloquy-api';
/** Pinned: a token signed with any other algorithm (including `none`) is refused. */
const algorithm = 'HS256';

export interface AccessTokens {
  issue(claims: AccessTokenClaims): Promise<string>;
  /** Returns the claims, or undefined for any invalid, expired or foreign token. */
  verify(token: string): Promise<AccessTokenClaims | undefined>;
  ttlSeconds: number;
}

export function createAccessTokens(secret: string, ttlSeconds: number): AccessTokens {
  const key = new TextEncoder().encode(secret);
  return {
    ttlSeconds,
    issue: (claims) =>
      new SignJWT({ sid: claims.sessionId, typ: 'access' })
        .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [algorithm],
          issuer,
          audience,
        });
        if (payload.typ !== 'access' || typeof payload.sub !== 'string' || typeof payload.sid !== 'string') {
          return undefined;
        }
        return { userId: payload.sub, sessionId: payload.sid };
      } catch (error) {
        if (error instanceof joseErrors.JOSEError) return undefined;
        throw error;
      }
    },
  };
}
