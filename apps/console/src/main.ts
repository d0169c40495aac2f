import { join } from 'node:path';
import { hashPassword, serveConsoleUi } from '@millwright/console';
import { startHttpService } from '@millwright/observability';
import { AppModule } from './app.module';
import { consoleOptions, loadConsoleConfig } from './console.config';

// `main.js hash-password` reads a password on stdin and prints the hash for CONSOLE_USERS.
if (process.argv[2] === 'hash-password') {
  let input = '';
  process.stdin.on('data', (d) => (input += d)).on('end', () => {
    const password = input.replace(/\r?\n$/, '');
    if (!password) {
      console.error('hash-password: give the password on stdin');
      process.exit(2);
    }
    void hashPassword(password).then((h) => console.log(h));
  });
} else {
  startHttpService('console', () => {
    const c = loadConsoleConfig();
    const o = consoleOptions(c);
    return {
      module: AppModule.forOptions(o, c.NATS_URL, c.NATS_NKEY_SEED_FILE),
      host: c.HTTP_HOST,
      port: c.HTTP_PORT,
      title: 'Millwright staff console',
      description: 'Sign-in, assets, orders, site health and the model for maintenance staff; the UI is served at /.',
      configure: (app) => serveConsoleUi(app, c.CONSOLE_UI_DIR || join(__dirname, '..', 'public')),
    };
  });
}
