import type { RequestHandler } from 'express';
import { hookError } from './error-codes.js';

/**
 * The longest request target (path and query) answered. The tenant keeps its URLs under about
 * 2000 characters (PROTOCOL §2), so anything longer did not come from it.
 */
export const MAX_URL_LENGTH = 2048;

/** Answers over-long URLs with 414 and a page, before anything else reads them. */
export const urlLengthLimit: RequestHandler = (req, _res, next) => {
  next(req.originalUrl.length > MAX_URL_LENGTH ? hookError('url_too_long') : undefined);
};
