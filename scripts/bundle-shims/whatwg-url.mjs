// What the controller bundles get for `import whatwgUrl from 'whatwg-url'` (see tsup.shared.ts): node-fetch
// 2 reads `whatwgUrl.URL` only when Node's `url` module has no URL, which never happens on Node >= 10.
// Node's own URL keeps the fallback correct should it ever be taken.
import { URL } from 'node:url';

export { URL };
export default { URL };
