import { setDisabledCommand } from './set-disabled.js';

export const disable = setDisabledCommand(true);
