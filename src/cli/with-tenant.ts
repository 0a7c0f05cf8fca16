import { loadManagementSettings } from '../config/management-settings.js';
import { createConfigApi, type ConfigApi } from '../mattr/config-api.js';
import { ManagementApiError } from '../mattr/management-error.js';
import { EXIT, type CommandIo } from './command.js';

/**
 * Builds the management client from the command's environment and runs `work` with it. Missing
 * variables and refused or failed calls become plain messages and exit code 1, never a stack trace.
 */
export async function withTenant(io: CommandIo, work: (api: ConfigApi) => Promise<number>): Promise<number> {
  const loaded = loadManagementSettings(io.env, { required: true });
  if (!loaded.ok || loaded.settings === null) {
    io.err.write(
      `Cannot reach the tenant; the environment is incomplete:\n${(loaded.ok ? [] : loaded.errors).map((e) => `  - ${e}\n`).join('')}`,
    );
    return EXIT.failed;
  }
  try {
    return await work(createConfigApi(loaded.settings));
  } catch (error) {
    if (!(error instanceof ManagementApiError)) throw error;
    io.err.write(`${error.message}\n`);
    return EXIT.failed;
  }
}
