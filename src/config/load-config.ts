import { AppConfig, InvalidEnvironmentError, parseEnvironment } from './environment';

/** Validates the environment once; on any problem prints them all and ends the process. */
export function loadConfigOrExit(): AppConfig {
  try {
    return parseEnvironment(process.env);
  } catch (error) {
    if (!(error instanceof InvalidEnvironmentError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
