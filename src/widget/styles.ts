/**
 * The widget's styles, inside its shadow root: they cannot reach the page. Inherited properties
 * do cross the shadow boundary, and the page may style the host element itself (even with
 * !important), so `all: initial` on the inner wrapper cuts off the page's font size, line
 * height, letter spacing, text transform and the rest. Blogs may set the accent colour with the
 * custom property --parley-accent; theme.ts then picks the text colour on it (--on-accent), a
 * shade of it for buttons if no text reads on it (--accent-fill) and, if it is too faint to read
 * as text, a readable shade of it for links (--accent-text). The provider marks share one shape
 * (the gateway's picker copies them, src/gateway/assets/parley.css); Twitter's blue is deepened to
 * #1a8cd8 so its white letter reaches 3:1. Avatars take the palette's fill (--avatar-bg), the
 * initial on it 4.5:1 in both palettes.
 */
export const STYLES = `
:host{all:initial;display:block}
.parley{all:initial;display:block;--accent:var(--parley-accent,#1d5fd1);--text:#1f2328;--muted:#5b6470;--line:#d6d9de;--bg:#fff;--soft:#f4f5f7;--danger:#b42318;--avatar-bg:#dde1e6;--avatar-text:#4a5260;--highlight:#fff1b8;color-scheme:light;color:var(--text);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;text-align:left;overflow-wrap:anywhere}
:host([data-parley-theme=dark]) .parley{--accent:var(--parley-accent,#7aa7ff);--text:#e6e8eb;--muted:#a3abb6;--line:#3a3f45;--bg:#1f2226;--soft:#26292e;--danger:#ff8a80;--avatar-bg:#41464d;--avatar-text:#e6e8eb;--highlight:#3f3a1e;color-scheme:dark}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
h2{font-size:1.3rem;line-height:1.3;margin:2rem 0 1rem;font-weight:700}
ol{list-style:none;margin:0;padding:0}
p{margin:0 0 .75rem}
a{color:var(--accent-text,var(--accent))}
button{font:inherit;color:inherit;cursor:pointer}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.muted{color:var(--muted)}
.comment>article{display:grid;grid-template-columns:auto 1fr;column-gap:.75rem;padding:.9rem 0;border-radius:8px}
.comment>article:focus{outline:none}
.comment>article:focus-visible{outline:3px solid var(--accent)}
.comment>article>.avatar{grid-row:1/span 3}
.removed{align-items:center}
.removed p{margin:0;font-style:italic}
.comments>.comment+.comment{border-top:1px solid var(--line)}
.comment>article.highlight{animation:parley-highlight 5s ease-in forwards}
@keyframes parley-highlight{from,60%{background:var(--highlight);box-shadow:0 0 0 .5rem var(--highlight)}to{background:transparent;box-shadow:0 0 0 .5rem transparent}}
@media (prefers-reduced-motion:reduce){.comment>article.highlight{animation-timing-function:step-end}}
.meta{display:flex;flex-wrap:wrap;align-items:baseline;gap:.15rem .5rem;line-height:1.35}
.name{font-weight:700}
.via,time{color:var(--muted);font-size:.85rem}
.by-author,.pending-note{font-size:.75rem;font-weight:600;border:1px solid currentColor;border-radius:.25rem;padding:0 .3rem}
.by-author{color:var(--accent-text,var(--accent))}
.pending-note{color:var(--muted)}
.body{white-space:pre-wrap;margin:.3rem 0 .35rem}
.comment-actions{display:flex;flex-wrap:wrap;gap:1rem;justify-self:start}
.reply-button{justify-self:start;background:none;border:0;padding:.15rem 0;color:var(--accent-text,var(--accent));font-weight:600;font-size:.9rem}
.reply-button:hover{text-decoration:underline}
.edited{color:var(--muted);font-size:.85rem;font-style:italic}
.editor{margin:.3rem 0 .5rem}
.editor label{font-size:.9rem}
.editor .hint{margin:.35rem 0 0;font-size:.85rem}
.editor .actions{gap:1rem;align-items:center}
.confirm p{margin:.2rem 0 .4rem;font-weight:600}
.confirm-buttons{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
.danger{padding:.35rem .9rem;border:1px solid var(--danger);border-radius:8px;background:var(--bg);color:var(--danger);font-weight:700}
.danger[aria-disabled=true]{opacity:.65;cursor:progress}
.reply-slot:not(:empty){grid-column:1/-1;margin-top:.5rem}
.replies{margin-left:1.5rem;padding-left:1rem;border-left:2px solid var(--line)}
.replies .replies .replies .replies{margin-left:0;padding-left:0;border-left:0}
.avatar{position:relative;display:inline-flex;align-items:center;justify-content:center;flex:none;width:40px;height:40px;border-radius:50%;overflow:hidden;background:var(--avatar-bg);color:var(--avatar-text);font-weight:700;font-size:1.05rem;user-select:none}
.avatar.small{width:32px;height:32px;font-size:.9rem}
.avatar img{position:absolute;inset:0;width:100%;height:100%;object-fit:cover;opacity:0}
.avatar.loaded img{opacity:1}
.respond{background:var(--bg);border:1px solid var(--line);border-radius:12px;padding:1rem 1.25rem 1.25rem;margin:1.5rem 0}
.respond h2{margin:0 0 .75rem}
.reply-slot .respond{margin:0}
.replying{display:flex;flex-wrap:wrap;gap:.5rem;align-items:baseline;margin:-.25rem 0 .75rem;color:var(--muted)}
.link{background:none;border:0;padding:0;color:var(--accent-text,var(--accent));text-decoration:underline;font-weight:600}
.identity{margin:0 0 1rem}
.providers{display:grid;gap:.5rem;max-width:19rem;margin-top:.6rem}
.provider{display:flex;align-items:center;gap:.65rem;padding:.45rem .85rem .45rem .5rem;border:1px solid var(--line);border-radius:8px;background:var(--bg);font-weight:600;font-size:.95rem}
.provider:hover{border-color:var(--accent);background:var(--soft)}
.mark{display:inline-flex;align-items:center;justify-content:center;width:1.5rem;height:1.5rem;border-radius:6px;color:#fff;font:700 1rem/1 Arial,"Helvetica Neue",sans-serif}
.mark-email{background:#4a5260}
.mark-twitter{background:#1a8cd8}
.mark-facebook{background:#1877f2}
.who{display:flex;align-items:center;gap:.75rem}
.who p{margin:0;display:flex;flex-wrap:wrap;align-items:baseline;column-gap:1rem}
.who .name{flex-basis:100%}
.account-actions{display:inline-flex;gap:1rem}
label{display:block;font-weight:600;margin:0 0 .3rem}
textarea{display:block;width:100%;min-height:7.5rem;padding:.6rem .75rem;border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--text);font:inherit;line-height:1.5;resize:vertical}
textarea:focus-visible{outline:3px solid var(--accent);outline-offset:0;border-color:var(--accent)}
textarea[aria-invalid=true]{border-color:var(--danger)}
fieldset.guest{margin:.75rem 0 0;padding:.5rem .75rem .25rem;border:1px solid var(--line);border-radius:8px}
fieldset.guest legend{padding:0 .25rem;color:var(--muted)}
.guest-field{margin:.25rem 0 .5rem}
.guest-field label{display:block;margin-bottom:.2rem}
.guest-field input{display:block;width:100%;max-width:24rem;padding:.45rem .6rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--text);font:inherit}
.guest-field input:focus-visible{outline:3px solid var(--accent);outline-offset:0;border-color:var(--accent)}
.guest-field input[aria-invalid=true]{border-color:var(--danger)}
.notify{display:grid;grid-template-columns:auto 1fr;column-gap:.55rem;align-items:center;margin:.85rem 0 0}
.notify input{width:1.15rem;height:1.15rem;margin:0;accent-color:var(--accent-fill,var(--accent))}
.notify input:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.notify label{margin:0;font-weight:400;cursor:pointer}
.notify .hint{grid-column:2;margin:.1rem 0 0;color:var(--muted);font-size:.85rem}
.feedback{min-height:1.5rem;margin:.5rem 0}
.feedback p{margin:0}
.alert{color:var(--danger);font-weight:600}
.status{color:var(--muted)}
.actions{display:flex;justify-content:flex-end}
.primary{padding:.6rem 1.2rem;border:1px solid var(--accent-fill,var(--accent));border-radius:8px;background:var(--accent-fill,var(--accent));color:var(--on-accent,#fff);font-weight:700}
.primary[aria-disabled=true]{opacity:.65;cursor:progress}
.load-failed button{margin-left:.5rem}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.skip{display:inline-block;margin:0 0 .75rem;color:var(--accent-text,var(--accent));font-weight:600}
.respond h2:focus{outline:none}
.respond h2:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.counter{margin:.35rem 0 0;color:var(--muted);font-size:.9rem;text-align:right}
.counter.over{color:var(--danger);font-weight:600}
.in-reply-to{color:var(--muted);font-size:.85rem}
@media (max-width:30rem){.replies{margin-left:.5rem;padding-left:.6rem}.respond{padding:.9rem}}
@media (max-width:40rem),(pointer:coarse){button,.skip{min-height:44px;min-width:44px}.notify label{display:flex;align-items:center;min-height:44px}.notify input{width:1.35rem;height:1.35rem}.link,.reply-button,.skip{display:inline-flex;align-items:center}.reply-button{padding:0 .5rem;margin-left:-.5rem}.account-actions{gap:.5rem}}
`;
