import type { RequestHandler } from 'express';
import { EXPORT_PAGE_MAX_BYTES, type EraseAnswer } from '../../backchannel/protocol';
import { jsonBytes } from '../thread-response';
import { eraseCommentersAtSite } from './commenter-erasure';
import { commentsOfSubjects, exportCursor, exportedComment, parseExportCursor, type ExportPosition } from './commenter-export';
import { backchannelRequest } from './gateway-authentication';
import type { BackchannelRouteDeps } from './routes';
import { parseSubjectsRequest } from './subjects-request';

/**
 * A commenter's export and erasure, the comment service's side (docs/erasure.md): the gateway
 * sends every site's `sub` of an account it is exporting or erasing (protocol.ts).
 */

/**
 * `POST /backchannel/export` → ExportAnswer: every comment of each (site, sub), by site, then
 * in the order they were written, a page of at most EXPORT_PAGE_MAX_BYTES at a time (the gateway
 * asks again with `after` while `moreAvailable`), so no commenter is too prolific to export.
 * Sites not in the sites file are left out (the service no longer serves them).
 */
export function exportRoute({ db, sites }: BackchannelRouteDeps): RequestHandler {
  return async (req, res) => {
    const { body } = backchannelRequest(res);
    const subjects = parseSubjectsRequest(body);
    const after = parseExportCursor((body as Record<string, unknown>)['after']);
    const comments: Buffer[] = [];
    let size = 0;
    let last: ExportPosition | undefined;
    let moreAvailable = false;
    pages: for (const [siteId, subs] of subjects) {
      if (!sites.has(siteId) || (after !== undefined && siteId < after.site)) continue;
      for await (const row of commentsOfSubjects(db, siteId, subs, after?.site === siteId ? after.seq : 0)) {
        const bytes = jsonBytes(req.app, exportedComment(row));
        if (comments.length > 0 && size + bytes.length > EXPORT_PAGE_MAX_BYTES) {
          moreAvailable = true;
          break pages;
        }
        comments.push(bytes);
        size += bytes.length + 1;
        last = { site: siteId, seq: row.seq };
      }
    }
    const cursor = last === undefined ? (after === undefined ? null : exportCursor(after)) : exportCursor(last);
    // The comments as jsonBytes wrote them (escaped as every answer of this service is), in a list.
    const answer = Buffer.concat([
      Buffer.from('{"comments":['),
      ...comments.flatMap((part, index) => (index === 0 ? [part] : [Buffer.from(','), part])),
      Buffer.from(`],"cursor":${JSON.stringify(cursor)},"moreAvailable":${moreAvailable}}`),
    ]);
    res.set('Cache-Control', 'no-store').type('application/json; charset=utf-8').send(answer);
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
