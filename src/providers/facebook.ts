import { randomBytes } from 'node:crypto';
import { Strategy as FacebookStrategy, type Profile, type StrategyOptions } from 'passport-facebook';
import type { Strategy } from 'passport';
import type { FacebookSettings } from '../config/settings';
import type { ProviderProfile } from '../store/accounts';
import { OAuth2HandshakeStore, UpstreamProtocolError } from './handshake-store';
import { applyUpstreamTimeouts } from './upstream-timeout';
import { verifyProfile } from './verify-profile';

/** Display name and avatar from Graph's /me?fields=id,name,picture. */
export function facebookProfile(profile: Profile): ProviderProfile {
  const id = String(profile.id ?? '');
  if (!/^\d{1,25}$/.test(id)) throw new UpstreamProtocolError('Graph /me answered without a user id');
  // Facebook's grey silhouette is "no photo": the widget shows its own neutral avatar instead.
  const silhouette = (profile as unknown as { _json?: { picture?: { data?: { is_silhouette?: boolean } } } })._json?.picture?.data?.is_silhouette === true;
  const picture = silhouette ? undefined : profile.photos?.[0]?.value;
  return {
    provider: 'facebook',
    // An app-scoped id: stable for our app, useless to anybody else.
    subject: id,
    displayName: (profile.displayName ?? '').trim() || null,
    picture: picture && picture.startsWith('https://') ? picture : null,
    label: (profile.displayName ?? '').trim() || null,
  };
}

/**
 * Sign in with Facebook: OAuth 2.0 through passport-facebook, with state and PKCE, a current
 * Graph version (passport-facebook's own default, v3.2, is long retired), appsecret_proof on every
 * Graph call, and only the fields we show (no email).
 */
export function facebookStrategy(settings: FacebookSettings, issuer: string): Strategy {
  const version = settings.graphVersion;
  const strategy = new FacebookStrategy(
    {
      clientID: settings.appId,
      clientSecret: settings.appSecret,
      callbackURL: `${issuer}/signin/facebook/callback`,
      authorizationURL: `${settings.wwwUrl}/${version}/dialog/oauth`,
      tokenURL: `${settings.graphUrl}/${version}/oauth/access_token`,
      profileURL: `${settings.graphUrl}/${version}/me`,
      graphAPIVersion: version,
      profileFields: ['id', 'displayName', 'photos'],
      enableProof: true,
      scope: ['public_profile'],
      state: true,
      pkce: true,
      sessionKey: 'oauth2:facebook',
      store: new OAuth2HandshakeStore('facebook', () => randomBytes(24).toString('base64url')),
    } as unknown as StrategyOptions,
    verifyProfile(facebookProfile),
  );
  applyUpstreamTimeouts(strategy);
  return strategy;
}
