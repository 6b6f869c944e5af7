import type { RequestHandler } from 'express';
import { BACKCHANNEL_MAX_BODY_BYTES, type EraseAnswer } from '../../backchannel/protocol';
import { jsonBytes } from '../thread-response';
import { eraseCommentersAtSite } from './commenter-erasure';
import { commentsOfSubjects, exportedComment } from './commenter-export';
import { backchannelRequest } from './gateway-authentication';
import type { BackchannelRouteDeps } from './routes';
import { parseSubjectsRequest } from './subjects-request';

/**
 * A commenter's export and erasure, the comment service's side (docs/erasure.md): the gateway
 * sends every site's `sub` of an account it is exporting or erasing (protocol.ts).
 */

const OPEN = Buffer.from('{"comments":[');
const CLOSE = Buffer.from(']}');
const COMMA = Buffer.from(',');

/**
 * `POST /backchannel/export` → ExportAnswer: every comment of each (site, sub), by site, then
 * in the order they were written. Sites not in the sites file are left out (the service no
 * longer serves them). The answer is built a comment at a time and given up as soon as it would
 * pass BACKCHANNEL_MAX_BODY_BYTES, the most the gateway reads: 413 `export_too_large`, rather than
 * an answer the gateway would refuse after reading it all, or a partial one that looks whole.
 */
export function exportRoute({ db, sites }: BackchannelRouteDeps): RequestHandler {
  return async (req, res) => {
    const subjects = parseSubjectsRequest(backchannelRequest(res).body);
    const parts: Buffer[] = [OPEN];
    let size = OPEN.length + CLOSE.length;
    let count = 0;
    for (const [siteId, subs] of subjects) {
      if (!sites.has(siteId)) continue;
      for await (const row of commentsOfSubjects(db, siteId, subs)) {
        const bytes = jsonBytes(req.app, exportedComment(row));
        size += bytes.length + (count > 0 ? COMMA.length : 0);
        if (size > BACKCHANNEL_MAX_BODY_BYTES) {
          res.status(413).json({
            error: 'export_too_large',
            message: `These commenters' comments come to more than the ${BACKCHANNEL_MAX_BODY_BYTES / 2 ** 20} MiB a back-channel answer may hold.`,
          });
          return;
        }
        if (count > 0) parts.push(COMMA);
        parts.push(bytes);
        count += 1;
      }
    }
    parts.push(CLOSE);
    res.set('Cache-Control', 'no-store').type('application/json; charset=utf-8').send(Buffer.concat(parts));
  };
}

/**
 * `POST /backchannel/erase` → EraseAnswer: anonymises every comment of each (site, sub), one
 * transaction per site (commenter-erasure.ts), each site as its sites-file `erasure` says; a
 * site no longer in the file is still anonymised, keeping the text (its comments are still
 * stored, and still theirs). Then the touched threads' cached answers are dropped. The gateway
 * retries until it gets a 200; a site done before a failure is simply found done the next time.
 */
export function eraseRoute({ db, sites, options, threads }: BackchannelRouteDeps): RequestHandler {
  return async (_req, res) => {
    const subjects = parseSubjectsRequest(backchannelRequest(res).body);
    let anonymisedComments = 0;
    for (const [siteId, subs] of subjects) {
      const erasure = sites.get(siteId)?.erasure ?? 'keep-text';
      const result = await eraseCommentersAtSite(db, siteId, subs, erasure, options.clock());
      for (const postId of result.posts) threads.invalidatePost(siteId, postId);
      anonymisedComments += result.comments;
      if (result.comments > 0) options.logger.info({ site: siteId, comments: result.comments, erasure }, 'erased a commenter\'s comments');
    }
    const answer: EraseAnswer = { anonymisedComments };
    res.set('Cache-Control', 'no-store').json(answer);
  };
}
