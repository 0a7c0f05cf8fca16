import express from 'express';
import { afterEach, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { listenOn } from '../../src/ops/listen.js';

const open: Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

it('listens on a free port and says which', async () => {
  const { server, port } = await listenOn(express(), 0, '127.0.0.1');
  open.push(server);
  expect(port).toBeGreaterThan(0);
  expect(server.listening).toBe(true);
});

it('refuses a port in use with an error that names it, instead of a server with no address', async () => {
  const first = await listenOn(express(), 0, '127.0.0.1');
  open.push(first.server);
  await expect(listenOn(express(), first.port, '127.0.0.1')).rejects.toThrow(
    new RegExp(`cannot listen on 127\\.0\\.0\\.1:${first.port}: .*EADDRINUSE`),
  );
});
