import { decodeJwt } from 'jose';

/**
 * The sign-ins (`sid`s) of `clientId` that the gateway's revocation feed names now: what every
 * comment service and verifier refuses once it has polled (docs/revocation.md).
 */
export async function revokedSessionHandles(feedUrl: string, clientId: string): Promise<string[]> {
  const response = await fetch(feedUrl);
  if (response.status !== 200) throw new Error(`the revocation feed answered ${response.status}`);
  const feed = (await response.json()) as { sets: Record<string, string> };
  return Object.values(feed.sets)
    .map((set) => decodeJwt(set))
    .filter((event) => event['client_id'] === clientId)
    .map((event) => event['sub_id'] as { format?: string; id?: string } | undefined)
    .filter((subject) => subject?.format === 'opaque' && typeof subject.id === 'string')
    .map((subject) => subject!.id!);
}
