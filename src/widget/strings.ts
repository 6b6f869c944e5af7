import type { IdentityProvider } from './token';

/**
 * Every word the widget shows, in one place. The labels of the controls are part of the public
 * contract (DESIGN.md, Widget): "Leave a Reply", "Log in with Email|Twitter|Facebook", "Post
 * Comment", "Reply", "Log Out", "Change" and "You are commenting using your … account".
 */
export const PROVIDER_NAMES: Record<IdentityProvider, string> = { email: 'Email', twitter: 'Twitter', facebook: 'Facebook' };

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
    provider ? `You are commenting using your ${PROVIDER_NAMES[provider]} account` : 'You are signed in to comment',
  replyingTo: (name: string) => `Replying to ${name}`,
  via: (provider: IdentityProvider) => `via ${PROVIDER_NAMES[provider]}`,
  comments: 'Comments',
  commentCount: (count: number) => (count === 1 ? '1 Comment' : `${count} Comments`),
  removed: (state: 'hidden' | 'deleted') => (state === 'deleted' ? 'This comment was deleted.' : 'This comment was hidden by a moderator.'),
  noComments: 'No comments yet. Be the first to leave a reply.',
  loading: 'Loading comments…',
  loadFailed: 'The comments could not be loaded.',
  tryAgain: 'Try again',
  // Sign-in
  signingIn: 'Finish signing in in the window that opened.',
  redirecting: 'Taking you to the sign-in page… Your comment is kept.',
  signedIn: (name: string) => `You are signed in as ${name}.`,
  signedInWithDraft: (name: string) => `You are signed in as ${name}. Your comment is still here: post it when you are ready.`,
  signInCancelled: 'Sign-in was cancelled. Your comment is kept.',
  signInClosed: 'The sign-in window was closed before you finished. Your comment is kept.',
  signInFailed: 'Signing in did not work. Please try again; your comment is kept.',
  signInUnavailable: 'Signing in is not possible right now (the sign-in service cannot be reached). Your comment is kept.',
  insecurePage: 'Signing in needs a secure (https) page.',
  loggedOut: 'You are logged out. Confirm in the window that opened to end your sign-in on this browser.',
  loggedOutWindowBlocked:
    'You are logged out: your sign-in is ended for this site and its comment tokens no longer work. The window that ends it for every blog on this browser was blocked; allow pop-ups here to use it next time.',
  logInFirst: 'Log in first: choose Email, Twitter or Facebook above. Your comment is kept.',
  emptyComment: 'Write a comment first.',
  // Posting
  posted: 'Your comment is posted.',
  expired: 'Your sign-in has expired. Log in again to post; your comment is kept.',
  expiredSigningIn: 'Your sign-in has expired. Finish signing in in the window that opened, then post again; your comment is kept.',
  forbidden: (detail: string | undefined) => `This account cannot comment here${detail ? `: ${detail}` : '.'}`,
  invalid: (detail: string | undefined) => `The comment was not accepted${detail ? `: ${detail}` : '.'} Your text is kept so you can fix it.`,
  tooLarge: 'The comment is too long. Shorten it and post again.',
  rateLimited: (seconds: number | undefined) =>
    seconds ? `You are commenting too fast. Wait ${seconds === 1 ? '1 second' : `${seconds} seconds`} and post again; your comment is kept.` : 'You are commenting too fast. Wait a moment and post again; your comment is kept.',
  serverError: (status: number) => `The comment server had a problem (error ${status}). Your comment is kept; try again in a moment.`,
  offline: 'The comment server could not be reached. Check your connection; your comment is kept, try again.',
  // Setup
  setupError: 'Comments cannot be shown: the widget is not set up correctly (see the browser console).',
} as const;
