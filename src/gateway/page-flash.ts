import type { Request, Response } from 'express';

/**
 * Post/Redirect/Get for the log-in pages: a form's answer is a 303 to a page that a GET shows, so
 * Back and reload never re-post a form (nor show the browser's "Confirm Form Resubmission"). What
 * the answer had to say (an error and the field it is about, a notice, the values typed, the
 * status) waits in the session for that one GET, keyed by the page it belongs to.
 */
export interface Flash {
  /** The HTTP status of the page that shows it (400 for a mistake, 429 when limited…). */
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  /** One sentence; `field` names the input it is about (its id), none for the whole form. */
  readonly error?: { readonly message: string; readonly field?: string };
  readonly notice?: string;
  /** What the reader typed, to show again. */
  readonly values?: Readonly<Record<string, string>>;
}

/** Flashes are taken by the very next GET; a handful is more than one browser needs at once. */
const MAX_FLASHES = 16;

declare module 'express-session' {
  interface SessionData {
    flashes?: Record<string, Flash>;
  }
}

/** Leaves `flash` for the page at `location` and redirects there (303: the browser GETs it). */
export function redirectWithFlash(req: Request, res: Response, location: string, flash: Flash): void {
  const kept = Object.entries(req.session.flashes ?? {}).slice(-(MAX_FLASHES - 1));
  req.session.flashes = Object.fromEntries([...kept, [location, flash]]);
  res.redirect(303, location);
}

/** Takes the flash left for the page being shown, and applies its status and Retry-After. */
export function takeFlash(req: Request, res: Response): Flash {
  const location = req.originalUrl.split('?')[0]!;
  const flashes = req.session?.flashes;
  if (!flashes || !Object.prototype.hasOwnProperty.call(flashes, location)) return {};
  const flash = flashes[location]!;
  delete flashes[location];
  if (flash.status) res.status(flash.status);
  if (flash.retryAfterSeconds !== undefined) res.set('Retry-After', String(flash.retryAfterSeconds));
  return flash;
}
