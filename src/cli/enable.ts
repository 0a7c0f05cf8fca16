import { setDisabledCommand } from './set-disabled.js';

export const enable = setDisabledCommand(false);
