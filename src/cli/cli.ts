/** The command's process: arguments in, the exit code out. Anything unexpected is an error (2). */
import { run } from './main.ts';

try {
  process.exitCode = await run(process.argv.slice(2), {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
    env: process.env,
    columns: process.stdout.columns || 120,
  });
} catch (err) {
  console.error(`aws-access-verifier: ${(err as Error).message ?? String(err)}`);
  process.exitCode = 2;
}
