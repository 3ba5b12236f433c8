// The service's commands are loaded on demand: `signet zone …` must not load them (start-up time of every CLI
// run), while help, unknown commands and the commands the service adds to still see them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { run, type CommandExtension } from './main.js';

function lazy(log: string[]): { extends: string[]; load: () => Promise<CommandExtension[]> } {
  return {
    extends: ['key', 'extra'],
    load: async () => {
      log.push('loaded');
      return [
        (program: Command, setCode) => {
          program.command('extra').action(() => setCode(7));
          const key = program.commands.find((c) => c.name() === 'key')!;
          key.command('more').action(() => setCode(8));
        },
      ];
    },
  };
}

test('lazy extensions load only for commands they add or add to', async () => {
  const log: string[] = [];
  // a CLI command the extensions do not touch: not loaded (it fails on its own arguments, which is fine here)
  assert.equal(await run(['node', 'signet', 'zone', 'check', '/nonexistent/zone', '--origin', 'example.'], lazy(log)), 1);
  assert.deepEqual(log, []);
  assert.equal(await run(['node', 'signet', 'extra'], lazy(log)), 7);
  assert.deepEqual(log, ['loaded']);
  assert.equal(await run(['node', 'signet', 'key', 'more'], lazy(log)), 8);
  assert.deepEqual(log, ['loaded', 'loaded']);
  // an unknown command loads them before commander reports it
  assert.equal(await run(['node', 'signet', 'nosuch'], lazy(log)), 2);
  assert.equal(log.length, 3);
});
