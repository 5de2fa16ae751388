/* global React:false ReactDOM:false GraphiQL:false */
// GraphiQL over this server's /graphql. Loaded after the pinned React, ReactDOM and GraphiQL
// scripts (src/http/graphiql-page.ts); no inline script, so the page's CSP needs none.
(function () {
  var fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', window.location.href).href })
  ReactDOM.render(
    React.createElement(GraphiQL, { fetcher: fetcher, isHeadersEditorEnabled: true, shouldPersistHeaders: true }),
    document.getElementById('main')
  )
})()
