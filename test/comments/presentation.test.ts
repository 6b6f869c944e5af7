import { presentThread } from '../../src/comments/presentation';
import type { CommentRow } from '../../src/comments/storage';

let seq = 0;

function row(id: string, parentId: string | null, state: 'visible' | 'hidden' | 'deleted' = 'visible'): CommentRow {
  seq += 1;
  return {
    seq,
    id,
    site_id: 'demo-blog',
    post_id: 'p',
    parent_id: parentId,
    author_sub: `sub-${id}`,
    author_name: state === 'deleted' ? '' : `Author ${id}`,
    author_picture: null,
    author_idp: 'email',
    body: state === 'deleted' ? '' : `Body ${id}`,
    created_at: Date.UTC(2030, 0, 1) + seq * 1000,
    hidden_at: state === 'hidden' ? 1 : null,
    deleted_at: state === 'deleted' ? 1 : null,
    pending_at: null,
    edited_at: null,
    by_author: 0,
    author_website: null,
    author_email_hash: null,
    notify_replies: 0,
    page_url: null,
  };
}

const shape = (rows: CommentRow[]) => presentThread(rows).map((entry) => ('state' in entry ? `${entry.id}:${entry.state}` : entry.id));

describe('presentThread', () => {
  it('lists visible comments with exactly the contract\'s fields, in creation order', () => {
    const [entry] = presentThread([row('a', null)]);
    expect(entry).toEqual({
      id: 'a',
      parentId: null,
      author: { name: 'Author a', picture: null, idp: 'email' },
      body: 'Body a',
      createdAt: expect.stringMatching(/^2030-01-01T/),
      authorKey: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
    });
  });

  it('leaves out a removed comment with no replies', () => {
    expect(shape([row('a', null, 'hidden'), row('b', null, 'deleted'), row('c', null)])).toEqual(['c']);
  });

  it('keeps a removed comment as a placeholder while a visible reply hangs under it', () => {
    expect(shape([row('a', null, 'hidden'), row('b', 'a')])).toEqual(['a:hidden', 'b']);
  });

  it('keeps a chain of removed ancestors above a visible reply deep down', () => {
    expect(shape([row('a', null, 'deleted'), row('b', 'a', 'hidden'), row('c', 'b'), row('d', 'a', 'hidden')])).toEqual(['a:deleted', 'b:hidden', 'c']);
  });

  it('leaves out a removed subtree whose replies are all removed too', () => {
    expect(shape([row('a', null, 'hidden'), row('b', 'a', 'hidden'), row('c', 'b', 'deleted'), row('d', null)])).toEqual(['d']);
  });

  it('gives a placeholder no author and no text, only its place in the thread', () => {
    const [placeholder] = presentThread([row('a', null, 'hidden'), row('b', 'a')]);
    expect(placeholder).toEqual({ id: 'a', parentId: null, author: null, body: '', createdAt: expect.any(String), state: 'hidden' });
  });
});
