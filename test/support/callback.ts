/** Settles with what a Node-style callback was given: its error if any, else its value. */
export function viaCallback<T>(run: (done: (err?: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    run((err, value) => {
      if (err === undefined || err === null) resolve(value);
      else reject(err instanceof Error ? err : new Error('the callback was given a non-Error', { cause: err }));
    });
  });
}
