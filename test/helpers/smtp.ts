import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
}

export interface RunningSmtpServer {
  readonly url: string;
  readonly received: ReceivedMail[];
  /** How many messages it refused so far. */
  readonly rejectedCount: () => number;
  /** Refuse every message from now on (true), or accept them again (false). */
  setRejecting(reject: boolean): void;
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps what it receives, or refuses every message. */
export async function startSmtpServer(options: { reject?: boolean } = {}): Promise<RunningSmtpServer> {
  const received: ReceivedMail[] = [];
  let rejecting = options.reject === true;
  let rejected = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (rejecting) {
          rejected += 1;
          return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    rejectedCount: () => rejected,
    setRejecting(reject) {
      rejecting = reject;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
