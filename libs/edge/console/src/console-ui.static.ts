import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

// Everything the UI loads comes from this server: the shop floor may have no internet at all.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/**
 * Serves the built UI (index.html, hashed bundles) from `dir`. Bundles have content hashes in
 * their names, so they are cached for good; index.html is revalidated so a new release shows at
 * the next load. /docs keeps Swagger UI's own inline scripts, so the CSP stays off it.
 */
export function serveConsoleUi(app: NestExpressApplication, dir: string): void {
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`no UI build in ${dir} (run npm run build, or set CONSOLE_UI_DIR)`);
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/docs')) res.setHeader('content-security-policy', CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  app.useStaticAssets(dir, {
    index: 'index.html',
    setHeaders: (res, path) => res.setHeader('cache-control', /-[A-Z0-9]{8}\.(js|css)$/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
}
