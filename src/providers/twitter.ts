import { Strategy as TwitterStrategy, type Profile, type IStrategyOption as StrategyOptions } from 'passport-twitter';
import type { Strategy } from 'passport';
import type { TwitterSettings } from '../config/settings';
import type { ProviderProfile } from '../store/accounts';
import { OAuth1HandshakeStore, UpstreamProtocolError } from './handshake-store';
import { applyUpstreamTimeouts } from './upstream-timeout';
import { verifyProfile } from './verify-profile';

/** Twitter's JSON user, the parts we read. */
interface TwitterUser {
  id_str?: string;
  name?: string;
  screen_name?: string;
  profile_image_url_https?: string;
}

/** Display name and avatar from Twitter's profile; `_normal` avatars are 48px, `_bigger` 73px. */
export function twitterProfile(profile: Profile): ProviderProfile {
  const json = (profile as unknown as { _json?: TwitterUser })._json ?? {};
  const id = String(json.id_str ?? profile.id ?? '');
  // An error object answered with HTTP 200 parses as a "profile" without an id: never an account.
  if (!/^\d{1,20}$/.test(id)) throw new UpstreamProtocolError('verify_credentials answered without a user id');
  const avatar = json.profile_image_url_https ?? profile.photos?.[0]?.value;
  return {
    provider: 'twitter',
    subject: id,
    displayName: (json.name ?? profile.displayName ?? json.screen_name ?? profile.username ?? '').trim() || `@${profile.username}`,
    picture: avatar && avatar.startsWith('https://') ? avatar.replace(/_normal(\.\w+)$/, '_bigger$1') : null,
    label: json.screen_name ?? profile.username ? `@${json.screen_name ?? profile.username}` : null,
  };
}

/**
 * Sign in with Twitter: OAuth 1.0a through passport-twitter. The four URLs derive from
 * PARLEY_TWITTER_API_URL (the real API, or the emulator); the callback URL is absolute so no proxy
 * header can redirect it. Request tokens wait in the session keyed by token, so two tabs can sign
 * in at once.
 */
export function twitterStrategy(settings: TwitterSettings, issuer: string): Strategy {
  const api = settings.apiUrl;
  const strategy = new TwitterStrategy(
    {
      consumerKey: settings.consumerKey,
      consumerSecret: settings.consumerSecret,
      requestTokenURL: `${api}/oauth/request_token`,
      accessTokenURL: `${api}/oauth/access_token`,
      userAuthorizationURL: `${api}/oauth/authenticate`,
      userProfileURL: `${api}/1.1/account/verify_credentials.json`,
      callbackURL: `${issuer}/signin/twitter/callback`,
      includeEmail: false,
      includeStatus: false,
      includeEntities: false,
      sessionKey: 'oauth:twitter',
      requestTokenStore: new OAuth1HandshakeStore('twitter'),
    } as unknown as StrategyOptions,
    verifyProfile(twitterProfile),
  );
  applyUpstreamTimeouts(strategy);
  return strategy;
}
