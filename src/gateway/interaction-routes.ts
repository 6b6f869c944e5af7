import { Router } from 'express';
import type { SignInFlow } from './sign-in';
import { emailFormPage, pickerPage, type PickerProvider } from './views/pages';

export interface InteractionRoutesDeps {
  readonly flow: SignInFlow;
  /** Upstream providers the picker offers, in order (email always first). */
  readonly providers: readonly PickerProvider[];
  readonly commentsUrl: string;
}

/**
 * The pages oidc-provider sends a commenter to (`/interaction/:uid`): the provider picker, the
 * shortcut of the `provider` parameter, cancelling, and the display-name step.
 */
export function interactionRoutes(deps: InteractionRoutesDeps): Router {
  const router = Router();
  const offered = new Set(deps.providers.map((provider) => provider.id));

  router.get('/interaction/:uid', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    if (interaction.prompt === 'consent') return deps.flow.consent(res, interaction, deps.commentsUrl);
    const wanted = interaction.params['provider'];
    if (req.query['pick'] === undefined && typeof wanted === 'string' && offered.has(wanted as PickerProvider['id'])) {
      if (wanted === 'email') return void res.type('html').send(emailFormPage({ site: interaction.site, uid: interaction.uid }));
      return res.redirect(303, `/interaction/${interaction.uid}/${wanted}`);
    }
    const cancelled = deps.providers.find((provider) => provider.id === req.query['cancelled']);
    const message = cancelled
      ? `You cancelled signing in with ${cancelled.label}. Choose a way to sign in, or try again.`
      : typeof wanted === 'string' && !offered.has(wanted as PickerProvider['id']) && wanted !== ''
        ? 'That sign-in method is not available here; choose another.'
        : undefined;
    res.type('html').send(pickerPage({ site: interaction.site, uid: interaction.uid, providers: deps.providers, message }));
  });

  router.get('/interaction/:uid/abort', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    await deps.flow.abort(res, interaction);
  });

  router.post('/interaction/:uid/name', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    await deps.flow.finishWithName(req, res, interaction, (req.body as Record<string, unknown> | undefined)?.['name']);
  });

  return router;
}
