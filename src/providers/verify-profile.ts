import type { ProviderProfile } from '../store/accounts';

type Done = (error: unknown, user?: ProviderProfile) => void;

/**
 * The verify callback of an OAuth strategy: maps the provider's profile to ours. A profile that
 * cannot be mapped (an error object answered with HTTP 200, say) becomes a strategy error, never
 * an account.
 */
export function verifyProfile<P>(toProfile: (profile: P) => ProviderProfile) {
  return (_token: string, _secretOrRefresh: string, profile: P, done: Done): void => {
    let mapped: ProviderProfile;
    try {
      mapped = toProfile(profile);
    } catch (error) {
      return done(error);
    }
    done(null, mapped);
  };
}
