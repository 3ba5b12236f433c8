// The README's walkthrough shows the BIND configuration `signet zone add` prints; it must be exactly what Signet
// prints for the same enrollment, so a customer copying it from the README gets a working setup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { customerConfig } from '../../src/app/index.js';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..', '..');

test('README walkthrough: the BIND snippet is what customerConfig prints for that enrollment', () => {
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Walkthrough'), readme.indexOf('## The server'));
  assert.ok(section.length > 100, 'the README has a walkthrough section');
  const block = /```\n(TSIG key [\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'the walkthrough shows the printed configuration');
  const secret = /secret (\S+)/.exec(block)![1]!;
  const bindShown = block.slice(block.indexOf('BIND (named.conf')).split('\n').slice(1).map((l) => l.replace(/^ {2}/, '')).join('\n').trim();
  const keyName = 'agency.example-signet.';
  const printed = customerConfig(
    'agency.example.',
    [{ address: '192.0.2.1', tsigKey: keyName }],
    [{ address: '198.51.100.7', tsigKey: keyName }],
    { addresses: ['203.0.113.53'], port: 53 },
    { name: keyName, algorithm: 'hmac-sha256', secret },
  );
  assert.equal(bindShown, printed.bind.trim());
  assert.match(section, /signet zone add agency\.example --source 192\.0\.2\.1 --destination 198\.51\.100\.7/);
});
