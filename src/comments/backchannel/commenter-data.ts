import type { RequestHandler } from 'express';
import type { BackchannelRouteDeps } from './routes';

/** SKELETON: being built (issue 15, item 3). `POST /backchannel/export` (protocol.ts ExportRequest → ExportAnswer). */
export function exportRoute(_deps: BackchannelRouteDeps): RequestHandler {
  return (_req, res) => void res.status(501).json({ error: 'not_implemented', message: 'not yet' });
}

/** SKELETON: being built (issue 15, item 3). `POST /backchannel/erase` (protocol.ts EraseRequest → EraseAnswer). */
export function eraseRoute(_deps: BackchannelRouteDeps): RequestHandler {
  return (_req, res) => void res.status(501).json({ error: 'not_implemented', message: 'not yet' });
}
