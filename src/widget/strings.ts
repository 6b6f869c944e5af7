import type { IdentityProvider } from './token';

/**
 * Every word the widget shows, in one place. The labels of the controls are part of the public
 * contract (DESIGN.md, Widget): "Leave a Reply", "Log in with Email|Twitter|Facebook", "Post
 * Comment", "Reply", "Log Out", "Change" and "You are commenting using your … account".
 */
export const PROVIDER_NAMES: Record<IdentityProvider, string> = { email: 'Email', twitter: 'Twitter', facebook: 'Facebook' };

/** Counts and limits, written one way everywhere: "10,000". */
const numbers = new Intl.NumberFormat('en');

export function formatNumber(value: number): string {
  return numbers.format(value);
}

const characters = (count: number) => (count === 1 ? '1 character' : `${formatNumber(count)} characters`);
const seconds = (count: number) => (count === 1 ? '1 second' : `${formatNumber(count)} seconds`);

/** Adds "your comment is kept" to a sentence, only when there is a comment to keep (issue #11). */
const keeping = (sentence: string, hasDraft: boolean) => (hasDraft ? `${sentence}; your comment is kept.` : `${sentence}.`);

/** A service's own message, as the end of one of our sentences. */
const detailOf = (detail: string) => (/[.!?]$/.test(detail) ? detail : `${detail}.`);

/**
 * One vocabulary: "Log in" / "Log Out" as the controls say, never "sign in". Errors are one
 * sentence each, and mention the comment only when the box holds one.
 */
export const strings = {
  locale: 'en',
  leaveReply: 'Leave a Reply',
  commentLabel: 'Comment',
  postComment: 'Post Comment',
  posting: 'Posting…',
  reply: 'Reply',
  cancelReply: 'Cancel reply',
  logOut: 'Log Out',
  change: 'Change',
  logInPrompt: 'Log in to post a comment. Only your name and picture are shown with it.',
  logInWith: (provider: IdentityProvider) => `Log in with ${PROVIDER_NAMES[provider]}`,
  commentingAs: (provider: IdentityProvider | undefined) =>
    provider ? `You are commenting using your ${PROVIDER_NAMES[provider]} account` : 'You are logged in to comment',
  replyingTo: (name: string) => `Replying to ${name}`,
  /** Shown on replies past the deepest indentation, where nesting alone no longer shows it. */
  inReplyTo: (name: string) => `in reply to ${name}`,
  /** Whom a reply answers when that comment was removed. */
  removedAuthor: 'a removed comment',
  via: (provider: IdentityProvider) => `via ${PROVIDER_NAMES[provider]}`,
  comments: 'Comments',
  commentCount: (count: number) => (count === 1 ? '1 Comment' : `${formatNumber(count)} Comments`),
  removed: (state: 'hidden' | 'deleted') => (state === 'deleted' ? 'This comment was deleted.' : 'This comment was hidden by a moderator.'),
  noComments: 'No comments yet. Be the first to leave a reply.',
  loading: 'Loading comments…',
  loadFailed: 'The comments could not be loaded.',
  tryAgain: 'Try again',
  // Logging in
  signingIn: 'Finish logging in in the window that opened.',
  redirecting: (hasDraft: boolean) => (hasDraft ? 'Taking you to the login page; your comment is kept…' : 'Taking you to the login page…'),
  signedIn: (name: string) => `You are logged in as ${name}.`,
  signedInWithDraft: (name: string) => `You are logged in as ${name}. Your comment is still here: post it when you are ready.`,
  signInCancelled: (hasDraft: boolean) => keeping('Login was cancelled', hasDraft),
  signInClosed: (hasDraft: boolean) => keeping('The login window was closed before you finished', hasDraft),
  signInFailed: (hasDraft: boolean) => keeping('Logging in did not work: please try again', hasDraft),
  signInUnavailable: (hasDraft: boolean) => keeping('Logging in is not possible right now because the login service cannot be reached', hasDraft),
  insecurePage: 'Logging in needs a secure (https) page.',
  /** The token endpoint refused a browser that cannot make a login key (the site likely requires DPoP). */
  signInNeedsKey: 'Logging in did not work: this blog probably needs a newer browser, one that can keep a secure login key.',
  loggedOut: 'You are logged out. Confirm in the window that opened to log out of every blog on this browser.',
  loggedOutWindowBlocked:
    'You are logged out of this blog and your comment tokens no longer work. The window that logs you out of every blog on this browser was blocked: allow pop-ups here to use it next time.',
  logInFirst: 'Log in first with Email, Twitter or Facebook above; your comment is kept.',
  // Guest comments (a site with `guests: true`)
  orAsGuest: 'or comment as a guest',
  guestName: 'Name',
  guestEmail: 'Email',
  guestEmailHint: 'never shown',
  guestWebsite: 'Website',
  optional: 'optional',
  /** Beside a guest's name in the thread. */
  guest: 'guest',
  logInOrGuest: 'Log in above, or fill in your name and email to comment as a guest; your comment is kept.',
  guestNameMissing: 'Enter your name to comment as a guest.',
  guestEmailMissing: 'Enter your email address to comment as a guest (it is never shown).',
  /** After a guest posts: they hold no token, so they will not see it after a reload. */
  postedAsGuest: 'Thank you! Your comment awaits approval by a moderator, and will appear here once approved.',
  guestFieldRefused: (detail: string | undefined) => detailOf(detail ?? 'Please check this field.'),
  emptyComment: 'Write a comment first.',
  tooLong: (over: number, limit: number) => `The comment is ${characters(over)} too long: at most ${formatNumber(limit)} are allowed.`,
  charactersLeft: (left: number) => `${characters(left)} left`,
  charactersOver: (over: number) => `${characters(over)} too many`,
  // Reply notifications (signed-in commenters only: a guest has no account to write to)
  notifyReplies: 'Notify me of replies by email',
  /**
   * Where the email goes. An email login has a verified address; a Twitter or Facebook login
   * brings none, so for those it goes only where the reader added one to their comment account
   * (the gateway's name for it): no promise the gateway cannot keep.
   */
  notifyRepliesHint: (provider: IdentityProvider | undefined) =>
    provider === 'email'
      ? 'Sent to the address you log in with; the blog never sees it.'
      : 'Sent to the email address of your comment account, if it has one; the blog never sees it.',
  // Posting
  posted: 'Your comment is posted.',
  /** After posting on a site whose moderators approve comments first. */
  postedPending: 'Your comment is awaiting approval: only you see it until a moderator approves it.',
  awaitingApproval: 'Awaiting approval',
  /** Beside the name of one of the blog's authors (WordPress's "bypostauthor"). */
  byAuthor: 'Author',
  expired: (hasDraft: boolean) => keeping('Your login has expired: log in again to post', hasDraft),
  expiredSigningIn: 'Your login has expired: finish logging in in the window that opened, and your comment will be posted.',
  expiredLogInAgain: 'Your login has expired: log in again above, and your comment will be posted.',
  forbidden: (detail: string | undefined) => (detail ? `This account cannot comment here: ${detailOf(detail)}` : 'This account cannot comment here.'),
  invalid: (detail: string | undefined) => (detail ? `The comment was not accepted: ${detailOf(detail)}` : 'The comment was not accepted; please change it and post again.'),
  /** The site takes only key-bound (DPoP) logins, and this browser cannot make the key. */
  dpopRequired: 'Posting did not work: this blog needs a newer browser, one that can keep a secure login key.',
  tooLarge: 'The comment is too long: shorten it and post again.',
  rateLimited: (wait: number | undefined) =>
    wait ? `You are commenting too fast: wait ${seconds(wait)}, then post again.` : 'You are commenting too fast: wait a moment, then post again.',
  serverError: (status: number) => `The comment server had a problem (error ${status}): try again in a moment.`,
  offline: 'The comment server could not be reached: check your connection and try again.',
  // The reader's own comments (own-comments.ts)
  edit: 'Edit',
  delete: 'Delete',
  /** Beside a comment its author changed; the time of the change is its tooltip. */
  edited: 'edited',
  editedAt: (date: string) => `Edited ${date}`,
  editLabel: 'Edit your comment',
  editWindow: (minutes: number) =>
    minutes <= 1 ? 'Comments can be changed for 15 minutes after posting: less than a minute is left.' : `Comments can be changed for 15 minutes after posting: ${formatNumber(minutes)} minutes are left.`,
  save: 'Save',
  saving: 'Saving…',
  cancel: 'Cancel',
  updated: 'Your comment is updated.',
  deleteQuestion: 'Delete this comment? This cannot be undone.',
  confirmDelete: 'Yes, delete it',
  keepComment: 'Keep it',
  deleting: 'Deleting…',
  deleted: 'Your comment is deleted.',
  editLogInAgain: 'Your login has expired: log in again above, then save your change.',
  deleteLogInAgain: 'Your login has expired: log in again above, then delete the comment.',
  notSaved: (detail: string | undefined) => (detail ? `The change was not saved: ${detailOf(detail)}` : 'The change was not saved: try again in a moment.'),
  notDeleted: (detail: string | undefined) => (detail ? `The comment was not deleted: ${detailOf(detail)}` : 'The comment was not deleted: try again in a moment.'),
  // Setup
  setupError: 'Comments cannot be shown: the widget is not set up correctly (see the browser console).',
} as const;
