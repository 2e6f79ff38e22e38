import { AppConfig, InvalidEnvironmentError, parseEnvironment } from './environment';

/** Validates the environment once; on any problem prints them all and ends the process. */
export function loadConfigOrExit(environment: Record<string, string | undefined> = process.env): AppConfig {
  try {
    return parseEnvironment(environment);
  } catch (error) {
    if (!(error instanceof InvalidEnvironmentError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
