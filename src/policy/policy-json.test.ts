// Custom policies from JSON: duration text, `extends` with field-by-field overrides, and errors naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILT_IN_POLICIES, DAY, DOTGOV_CSS, HOUR, MINUTE, PolicyError, WEEK, parseDuration, policyFromJson, validatePolicy } from './index.js';

const resolve = (n: string): (typeof BUILT_IN_POLICIES)[string] | undefined => BUILT_IN_POLICIES[n];

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PolicyError, String(e));
    assert.equal(e.code, 'POLICY_INVALID');
    return e.field;
  }
  assert.fail('expected a PolicyError');
}

test('parseDuration: integers are milliseconds; text uses ms, s, m, h, d, w and adds up', () => {
  assert.equal(parseDuration(0), 0);
  assert.equal(parseDuration(1500), 1500);
  assert.equal(parseDuration('90d'), 90 * 86_400_000);
  assert.equal(parseDuration('2w'), 14 * 86_400_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  for (const bad of [-1, 1.5, '', '3 days', '1y', 'd', '10', null, true]) assert.equal(parseDuration(bad), undefined, String(bad));
});

test('a full policy written out in text durations equals dotgov-css (the seeds: KSK 60d/730d/60d, ZSK 1w/90d/1w, RRSIG 14d re-signed every 7d)', () => {
  const p = policyFromJson(
    {
      mode: 'ksk-zsk',
      algorithm: 8,
      ksk: { size: 2048, prePublish: '60d', active: '730d', postPublish: '60d' },
      zsk: { size: 2048, prePublish: '1w', active: '90d', postPublish: '1w' },
      emergency: { ksk: { compromisedActive: '1w', compromisedPostPublish: '1w', successorActiveAfter: 0 }, zsk: { compromisedActive: '2d', compromisedPostPublish: '2d', successorActiveAfter: '2d' } },
      signatures: { validity: '14d', refresh: '7d', jitter: '12h' },
      denial: { type: 'nsec3', optOut: false, iterations: 0, salt: '' },
      dnskeyTtl: '1h',
      dsTtl: '1d',
      zonePropagationDelay: '1h',
      parentPropagationDelay: '1h',
      maxZoneTtl: '1d',
    },
    'dotgov-css',
  );
  assert.deepEqual(p, DOTGOV_CSS);
});

test('extends: only the fields given change; objects merge field by field, denial is replaced', () => {
  const p = policyFromJson({ extends: 'dotgov-css', algorithm: 13, ksk: { size: 256 }, zsk: { size: 256, active: '30d' }, denial: { type: 'nsec' } }, 'agency-p256', resolve);
  assert.equal(p.name, 'agency-p256');
  assert.equal(p.algorithm, 13);
  assert.deepEqual(p.ksk, { ...DOTGOV_CSS.ksk!, size: 256 });
  assert.deepEqual(p.zsk, { size: 256, prePublish: WEEK, active: 30 * DAY, postPublish: WEEK });
  assert.deepEqual(p.denial, { type: 'nsec' });
  assert.equal(p.dsTtl, DAY);
  assert.equal(validatePolicy(p), p);
  const csk = policyFromJson({ extends: 'rotate-90d', mode: 'csk', csk: { size: 256, prePublish: '1d', active: '180d', postPublish: '2d' }, zonePropagationDelay: '10m' }, 'csk-180d', resolve);
  assert.equal(csk.mode, 'csk');
  assert.equal(csk.ksk, undefined);
  assert.equal(csk.zonePropagationDelay, 10 * MINUTE);
  assert.equal(csk.dnskeyTtl, HOUR);
});

test('errors name the field', () => {
  assert.equal(fieldOf(() => policyFromJson({ extends: 'dotgov-css', ksk: { active: '2y' } }, 'x', resolve)), 'ksk.active');
  assert.equal(fieldOf(() => policyFromJson({ extends: 'dotgov-css', ksk: { colour: 'red' } }, 'x', resolve)), 'ksk.colour');
  assert.equal(fieldOf(() => policyFromJson({ extends: 'dotgov-css', colour: 'red' }, 'x', resolve)), 'colour');
  assert.equal(fieldOf(() => policyFromJson({ extends: 'nope' }, 'x', resolve)), 'extends');
  assert.equal(fieldOf(() => policyFromJson({ extends: 'x' }, 'x', resolve)), 'extends');
  assert.equal(fieldOf(() => policyFromJson({ mode: 'ksk-zsk', algorithm: 8 }, 'x', resolve)), 'ksk');
  assert.equal(fieldOf(() => policyFromJson({ extends: 'dotgov-css', algorithm: 13 }, 'x', resolve)), 'ksk.size');
  assert.equal(fieldOf(() => policyFromJson({ extends: 'dotgov-css', algorithm: 3 }, 'x', resolve)), 'algorithm');
  assert.equal(fieldOf(() => policyFromJson({ extends: 'dotgov-css', zsk: { prePublish: '1m' } }, 'x', resolve)), 'zsk.prePublish');
  assert.equal(fieldOf(() => policyFromJson({ extends: 'dotgov-css', denial: { type: 'nsec3', iterations: 500 } }, 'x', resolve)), 'denial.iterations');
  assert.equal(fieldOf(() => policyFromJson({ extends: 'dotgov-css', csk: { size: 2048 } }, 'x', resolve)), 'csk');
  assert.equal(fieldOf(() => policyFromJson({ extends: 'dotgov-css', name: 'other' }, 'x', resolve)), 'name');
  assert.equal(fieldOf(() => policyFromJson({ extends: 'dotgov-css' }, 'bad name', resolve)), 'name');
  assert.equal(fieldOf(() => policyFromJson({ extends: 'dotgov-css', signatures: { refresh: '14d' } }, 'x', resolve)), 'signatures.refresh');
});
