import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.ts';
import { createDependencies } from '../dependencies.ts';
import { AppError } from '../errors/app-error.ts';
import { describeStartupError, startServer } from '../main.ts';
import { createAdmin } from './ensure-admin.ts';
import { passwordRules } from '../auth/passwords.ts';

const usage = `Usage: colloquy [command] [options]

Commands:
  serve                 Start the server (default)
  migrate               Apply database migrations and exit
  create-admin          Create an admin account
      --username NAME   (required)
      --email EMAIL
      --password-stdin  Read the password from standard input (recommended)
      --password PASS   Give the password inline (visible to other local users)
  help                  Show this help

Settings come from the environment and an optional colloquy.config.json; see the README.`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function serve(): Promise<void> {
  const server = await startServer();
  const shutdown = (signal: string) => {
    server.app.log.info({ signal }, 'shutting down');
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

async function migrate(): Promise<void> {
  const dependencies = await createDependencies(loadConfig());
  await dependencies.close();
  console.log(`Database is up to date (${dependencies.database.dialect}).`);
}

async function createAdminCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      username: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
  });
  if (!values.username) throw new Error('create-admin needs --username');
  const password = values['password-stdin'] ? await readStdin() : values.password;
  if (!password || password.length < passwordRules.minLength) {
    throw new Error(`create-admin needs a password of at least ${passwordRules.minLength} characters (--password-stdin)`);
  }
  const dependencies = await createDependencies(loadConfig());
  try {
    const user = await createAdmin(dependencies, { username: values.username, email: values.email, password });
    console.log(`Created admin ${user.username} (${user.id}).`);
  } finally {
    await dependencies.close();
  }
}

export async function runCli(argv: string[]): Promise<void> {
  const [command = 'serve', ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve();
      case 'migrate':
        return await migrate();
      case 'create-admin':
        return await createAdminCommand(rest);
      case 'help':
      case '--help':
      case '-h':
        console.log(usage);
        return;
      default:
        console.error(`Unknown command: ${command}\n\n${usage}`);
        process.exitCode = 2;
    }
  } catch (error) {
    const message = error instanceof AppError ? error.message : describeStartupError(error);
    console.error(message.startsWith('Start-up failed: ') && command !== 'serve' ? message.slice(17) : message);
    process.exitCode = 1;
  }
}
