import { DEFAULTS, type Settings } from '../config/settings';
import { startEmulators, type RunningEmulators } from '../emulators';

/** `parley emulators`: the Twitter and Facebook emulators on PARLEY_EMULATOR_PORT. */
export async function runEmulators(settings: Settings): Promise<RunningEmulators> {
  if (settings.production) throw new Error('the provider emulators are for development only; unset NODE_ENV=production');
  const emulators = await startEmulators({ port: settings.emulators.port });
  console.log(
    [
      `parley emulators: listening on ${emulators.url} (development only, not the real providers)`,
      `  Twitter:  PARLEY_TWITTER_API_URL=${emulators.twitter.apiUrl} PARLEY_TWITTER_CONSUMER_KEY=${emulators.twitter.consumerKey} PARLEY_TWITTER_CONSUMER_SECRET=${emulators.twitter.consumerSecret}`,
      `  Facebook: PARLEY_FACEBOOK_WWW_URL=${emulators.facebook.wwwUrl} PARLEY_FACEBOOK_GRAPH_URL=${emulators.facebook.graphUrl} PARLEY_FACEBOOK_APP_ID=${emulators.facebook.appId} PARLEY_FACEBOOK_APP_SECRET=${emulators.facebook.appSecret}`,
    ].join('\n'),
  );
  return emulators;
}

/**
 * The demo's settings with every provider that has no real credentials pointed at the running
 * emulators, so all three sign-in methods work out of the box.
 */
export function withEmulatedProviders(settings: Settings, emulators: RunningEmulators): Settings {
  return Object.freeze({
    ...settings,
    twitter:
      settings.twitter ??
      Object.freeze({ consumerKey: emulators.twitter.consumerKey, consumerSecret: emulators.twitter.consumerSecret, apiUrl: emulators.twitter.apiUrl }),
    facebook:
      settings.facebook ??
      Object.freeze({
        appId: emulators.facebook.appId,
        appSecret: emulators.facebook.appSecret,
        wwwUrl: emulators.facebook.wwwUrl,
        graphUrl: emulators.facebook.graphUrl,
        graphVersion: DEFAULTS.PARLEY_FACEBOOK_GRAPH_VERSION,
      }),
  });
}
