import { Router, type Request, type Response } from 'express';
import { redirectWithFlash, takeFlash } from './page-flash';
import { MAX_DISPLAY_NAME_LENGTH, type ActiveInteraction, type SignInFlow } from './sign-in';
import { emailFormPage } from './views/email-pages';
import { namePage, pickerPage, type PickerProvider } from './views/pages';

export interface InteractionRoutesDeps {
  readonly flow: SignInFlow;
  /** Upstream providers the picker offers, in order (email always first). */
  readonly providers: readonly PickerProvider[];
  readonly commentsUrl: string;
}

/**
 * The pages oidc-provider sends a commenter to (`/interaction/:uid`): the provider picker, the
 * shortcut of the `provider` parameter, cancelling ("Cancel" in a popup, "Back to the post" in a
 * full-page log-in), and the display-name step.
 */
export function interactionRoutes(deps: InteractionRoutesDeps): Router {
  const router = Router();
  const offered = new Set(deps.providers.map((provider) => provider.id));

  router.get('/interaction/:uid', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    if (interaction.prompt === 'consent') return deps.flow.consent(req, res, interaction, deps.commentsUrl);
    const wanted = interaction.params['provider'];
    if (req.query['pick'] === undefined && typeof wanted === 'string' && offered.has(wanted as PickerProvider['id'])) {
      if (wanted === 'email') return void res.type('html').send(emailFormPage({ site: interaction.site, uid: interaction.uid, way: interaction.way }));
      return res.redirect(303, `/interaction/${interaction.uid}/${wanted}`);
    }
    const cancelled = deps.providers.find((provider) => provider.id === req.query['cancelled']);
    const message = cancelled
      ? `You cancelled logging in with ${cancelled.label}: choose a way to log in, or try again.`
      : typeof wanted === 'string' && !offered.has(wanted as PickerProvider['id']) && wanted !== ''
        ? 'That way of logging in is not available here: choose another.'
        : undefined;
    res.type('html').send(pickerPage({ site: interaction.site, uid: interaction.uid, providers: deps.providers, message, way: interaction.way }));
  });

  // POST from the pages' "Cancel" / "Back to the post"; GET kept for links made before.
  const abort = async (req: Request, res: Response) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    await deps.flow.abort(req, res, interaction);
  };
  router.get('/interaction/:uid/abort', abort);
  router.post('/interaction/:uid/abort', abort);

  const namePath = (interaction: ActiveInteraction) => `/interaction/${interaction.uid}/name`;

  router.get('/interaction/:uid/name', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    // Nothing waits for a name (Back to this page after it was chosen): the log-in goes on from its start.
    if (!deps.flow.profileAwaitingName(req, interaction)) return res.redirect(303, `/interaction/${interaction.uid}`);
    res.type('html').send(namePage({ site: interaction.site, uid: interaction.uid, state: takeFlash(req, res), way: interaction.way }));
  });

  router.post('/interaction/:uid/name', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    const typed = (req.body as Record<string, unknown> | undefined)?.['name'];
    const refused = await deps.flow.finishWithName(req, res, interaction, typed);
    if (refused === 'no_profile') return res.redirect(303, `/interaction/${interaction.uid}`);
    if (refused === 'bad_name') {
      redirectWithFlash(req, res, namePath(interaction), {
        status: 400,
        error: { field: 'name', message: `Enter a name of 1 to ${MAX_DISPLAY_NAME_LENGTH} characters.` },
        values: { name: typeof typed === 'string' ? typed.slice(0, MAX_DISPLAY_NAME_LENGTH) : '' },
      });
    }
  });

  return router;
}
