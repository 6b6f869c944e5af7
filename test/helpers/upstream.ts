import { startEmulators, type RunningEmulators } from '../../src/emulators';
import { type BrowserResponse, type TestBrowser } from './browser';
import { formAction, hiddenFields } from './html-forms';
import { startTestGateway, type RunningTestGateway } from './gateway';

export interface GatewayWithEmulators {
  readonly gw: RunningTestGateway;
  readonly emulators: RunningEmulators;
  stop(): Promise<void>;
}

/** The settings that point a gateway's Twitter and Facebook at the loopback emulators. */
export function emulatorEnv(emulators: RunningEmulators): Record<string, string> {
  return {
    PARLEY_TWITTER_CONSUMER_KEY: emulators.twitter.consumerKey,
    PARLEY_TWITTER_CONSUMER_SECRET: emulators.twitter.consumerSecret,
    PARLEY_TWITTER_API_URL: emulators.twitter.apiUrl,
    PARLEY_FACEBOOK_APP_ID: emulators.facebook.appId,
    PARLEY_FACEBOOK_APP_SECRET: emulators.facebook.appSecret,
    PARLEY_FACEBOOK_WWW_URL: emulators.facebook.wwwUrl,
    PARLEY_FACEBOOK_GRAPH_URL: emulators.facebook.graphUrl,
  };
}

/** A real gateway whose Twitter and Facebook are the loopback emulators, as `parley demo` wires them. */
export async function startGatewayWithEmulators(options: { env?: Record<string, string> } = {}): Promise<GatewayWithEmulators> {
  const emulators = await startEmulators({ port: 0 });
  const gw = await startTestGateway({ env: { ...emulatorEnv(emulators), ...options.env } });
  return {
    gw,
    emulators,
    async stop() {
      await gw.stop();
      await emulators.close();
    },
  };
}

/** Submits the emulator's sign-in page the way a person would: pick a test user, or cancel. */
export async function answerProviderPage(browser: TestBrowser, page: BrowserResponse, choice: { userId: string } | 'cancel'): Promise<BrowserResponse> {
  if (page.status !== 200) throw new Error(`expected the provider's sign-in page, got ${page.status} ${page.url}\n${page.text.slice(0, 800)}`);
  const action = new URL(formAction(page.text), page.url).href;
  const hidden = hiddenFields(page.text);
  const form = choice === 'cancel' ? { ...hidden, cancel: '1' } : { ...hidden, user_id: choice.userId };
  return browser.post(action, form);
}
