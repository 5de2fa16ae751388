/**
 * GraphiQL's page (docs/security.md, "HTTP hardening"). mercurius' own page fetches
 * React, ReactDOM and GraphiQL from a public CDN without integrity checks; this one loads
 * the same pinned versions with Subresource Integrity, from GRAPHIQL_ASSETS_URL (a CDN
 * by default, or a mirror / a path of this server holding the same files), so a changed
 * file is refused by the browser. The hashes are sha384 of the files in the npm packages
 * (`npm pack graphiql@3.8.3 react@18.3.1 react-dom@18.3.1`, then
 * `openssl dgst -sha384 -binary FILE | openssl base64 -A`).
 */
export const graphiqlAssets = {
  css: [{ path: '/graphiql@3.8.3/graphiql.min.css', integrity: 'sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM' }],
  js: [
    { path: '/react@18.3.1/umd/react.production.min.js', integrity: 'sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z' },
    { path: '/react-dom@18.3.1/umd/react-dom.production.min.js', integrity: 'sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1' },
    { path: '/graphiql@3.8.3/graphiql.min.js', integrity: 'sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie' }
  ]
} as const

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')

/** The HTML page: pinned assets with integrity, then this server's /graphiql/main.js. */
export function graphiqlHtml(assetsUrl: string): string {
  const base = assetsUrl.replace(/\/+$/, '')
  const css = graphiqlAssets.css.map((a) => `<link rel="stylesheet" href="${attr(base + a.path)}" integrity="${a.integrity}" crossorigin="anonymous"/>`)
  const js = graphiqlAssets.js.map((a) => `<script src="${attr(base + a.path)}" integrity="${a.integrity}" crossorigin="anonymous"></script>`)
  return [
    '<!DOCTYPE html>', '<html>', '<head>', '<meta charset="utf-8"/>', '<title>GraphiQL</title>', '<meta name="robots" content="noindex"/>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>', ...css,
    '<style>body { margin: 0; overflow: hidden; } #main { height: 100vh; }</style>', '</head>', '<body>', '<div id="main"></div>',
    ...js, '<script src="/graphiql/main.js"></script>', '</body>', '</html>'
  ].join('\n')
}

/**
 * The page's own script, served by this server at /graphiql/main.js (no inline script, so the
 * CSP needs none): GraphiQL over this server's /graphql, once the pinned scripts have loaded.
 */
export const graphiqlMainJs = `/* global React:false ReactDOM:false GraphiQL:false */
(function () {
  var fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', window.location.href).href })
  ReactDOM.render(
    React.createElement(GraphiQL, { fetcher: fetcher, isHeadersEditorEnabled: true, shouldPersistHeaders: true }),
    document.getElementById('main')
  )
})()
`

/** The CSP source that covers GRAPHIQL_ASSETS_URL: its origin, or nothing beyond 'self' for a path here. */
export function assetsSource(assetsUrl: string): string[] {
  return assetsUrl.startsWith('/') ? [] : [new URL(assetsUrl).origin]
}
