/** The Twitter and Facebook emulators in a process of their own, so they do not share the gateway's CPU time. */
import { startEmulators } from '../../src/emulators';

startEmulators({ port: 0 }).then((emulators) => {
  process.send!({ ready: true, url: emulators.url, twitterApiUrl: emulators.twitter.apiUrl });
  process.on('SIGTERM', () => emulators.close().finally(() => process.exit(0)));
});
