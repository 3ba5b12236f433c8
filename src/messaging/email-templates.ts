// Plain-text and simple HTML e-mails for each notification type, addressed to the zone's technical contact:
// a subject naming the zone and the event, a short explanation, and the facts with dates in UTC ISO form.
import { STATUS_DESCRIPTIONS } from './notifications.js';
import type { JsonObject, JsonValue, NotificationType, OutboxEvent } from './outbox-event.js';

/** A rendered e-mail, not yet addressed. */
export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Wording options. */
export interface EmailTemplateOptions {
  /** Product name in the subject tag and signature; default `Signet`. */
  readonly product?: string;
  /** Where to ask for help (seed 000: the registrar's help desk), printed in the footer when given. */
  readonly helpAddress?: string;
}

type Fact = readonly [label: string, value: string];

interface Template {
  subject(p: Reader): string;
  intro(p: Reader): string[];
  facts(p: Reader): Fact[];
}

/** Reads payload fields as display strings. */
class Reader {
  readonly #p: JsonObject;
  constructor(p: JsonObject) {
    this.#p = p;
  }
  raw(name: string): JsonValue | undefined {
    return this.#p[name];
  }
  str(name: string, fallback = 'unknown'): string {
    const v = this.#p[name];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }
  keyField(name: string): string {
    const k = this.#p['key'];
    if (k && typeof k === 'object' && !Array.isArray(k)) {
      const v = (k as JsonObject)[name];
      if (v !== undefined && v !== null) return String(v);
    }
    return 'unknown';
  }
  list(name: string): string[] {
    const v = this.#p[name];
    return Array.isArray(v) ? v.map((x) => String(x)) : [];
  }
}

function keyFacts(p: Reader): Fact[] {
  return [
    ['Key tag', p.keyField('key_tag')],
    ['Key role', p.keyField('role')],
    ['Algorithm', p.keyField('algorithm')],
  ];
}

const TEMPLATES: Readonly<Record<NotificationType, Template>> = {
  'dnssec.rotation_scheduled': {
    subject: (p) => `KSK rollover scheduled in ${p.str('notice')} (key ${p.keyField('key_tag')}, ${p.str('rollover_at')})`,
    intro: (p) => [
      `The key signing key (KSK) of ${p.str('zone')} with key tag ${p.keyField('key_tag')} is scheduled to be rolled over on ${p.str('rollover_at')}, ${p.str('notice')} from now.`,
      'Signet pre-publishes the new KSK and updates the DS record in the parent zone; no action is needed unless you manage the DS record yourself.',
    ],
    facts: (p) => [['Rollover date', p.str('rollover_at')], ['Notice', `${p.str('notice')} before the rollover`], ...keyFacts(p)],
  },
  'dnssec.rotation_start': {
    subject: (p) => `KSK rollover started, new DS for key ${p.keyField('key_tag')}`,
    intro: (p) => [
      `A KSK rollover of ${p.str('zone')} has started: the new KSK with key tag ${p.keyField('key_tag')} is published and its DS record is being added to the parent zone.`,
      'If you manage the DS record at your registrar yourself, add the new DS record below now and remove the old one only when the rollover-successful notice arrives.',
    ],
    facts: (p) => [['Started at', p.str('occurred_at')], ...keyFacts(p), ['Previous key tags', p.list('previous_key_tags').join(', ') || 'none'], ...p.list('ds_records').map((d): Fact => ['DS record', d])],
  },
  'dnssec.rotation_complete': {
    subject: (p) => `KSK rollover successful (new key ${p.keyField('key_tag')})`,
    intro: (p) => [
      `The KSK rollover of ${p.str('zone')} completed successfully: the KSK with key tag ${p.keyField('key_tag')} is now active and the DS record of the previous KSK (key tag ${p.str('previous_key_tag')}) was withdrawn from the parent zone.`,
      'The previous KSK stays published for its post-publish period.',
    ],
    facts: (p) => [['Completed at', p.str('occurred_at')], ...keyFacts(p), ['Previous key tag', p.str('previous_key_tag')]],
  },
  'dnssec.postpublish_complete': {
    subject: (p) => `KSK post-publish period complete (key ${p.keyField('key_tag')})`,
    intro: (p) => [
      `The post-publish period of the retired KSK of ${p.str('zone')} with key tag ${p.keyField('key_tag')} is complete; the key has been removed from the zone.`,
    ],
    facts: (p) => [['Retired at', p.str('retired_at')], ['Removed at', p.str('occurred_at')], ...keyFacts(p)],
  },
  'dnssec.emergency_ksk_rollover': {
    subject: (p) => `emergency KSK rollover (key ${p.keyField('key_tag')})`,
    intro: (p) => [
      `An emergency rollover of the KSK of ${p.str('zone')} with key tag ${p.keyField('key_tag')} was carried out at ${p.str('occurred_at')}.`,
      'The compromised KSK stays active for a short time while its successor is introduced, and is then post-published briefly before removal.',
    ],
    facts: (p) => [
      ['Requested by', p.str('requested_by')],
      ['Reason', p.str('reason')],
      ...keyFacts(p),
      ['Compromised key active until', p.str('compromised_active_until')],
      ['Compromised key removed not before', p.str('compromised_removed_not_before')],
      ['New key active from', p.str('successor_active_from')],
      ['New key active until', p.str('successor_active_until')],
    ],
  },
  'dnssec.emergency_zsk_rollover': {
    subject: (p) => `emergency ZSK rollover (key ${p.keyField('key_tag')})`,
    intro: (p) => [
      `An emergency rollover of the ZSK of ${p.str('zone')} with key tag ${p.keyField('key_tag')} was carried out at ${p.str('occurred_at')}.`,
      'The zone is signed with the compromised ZSK for a short time more, then re-signed with the new ZSK.',
    ],
    facts: (p) => [
      ['Requested by', p.str('requested_by')],
      ['Reason', p.str('reason')],
      ...keyFacts(p),
      ['Compromised key active until', p.str('compromised_active_until')],
      ['Compromised key removed not before', p.str('compromised_removed_not_before')],
      ['New key active from', p.str('successor_active_from')],
      ['New key active until', p.str('successor_active_until')],
    ],
  },
  'dnssec.ds_add': {
    subject: (p) => `DS record to add for key ${p.keyField('key_tag')}`,
    intro: (p) => [`The DS record of the KSK of ${p.str('zone')} with key tag ${p.keyField('key_tag')} is to be added to the parent zone.`],
    facts: (p) => [['At', p.str('occurred_at')], ...keyFacts(p), ...p.list('ds_records').map((d): Fact => ['DS record', d])],
  },
  'dnssec.ds_withdraw': {
    subject: (p) => `DS record to withdraw for key ${p.keyField('key_tag')}`,
    intro: (p) => [`The DS record of the KSK of ${p.str('zone')} with key tag ${p.keyField('key_tag')} is to be removed from the parent zone.`],
    facts: (p) => [['At', p.str('occurred_at')], ...keyFacts(p)],
  },
  'dnssec.signature_life_warning': {
    subject: (p) => `signatures expire soon (earliest ${p.str('earliest_expiration')})`,
    intro: (p) => [`The earliest DNSSEC signature served for ${p.str('zone')} expires at ${p.str('earliest_expiration')}. ${p.str('message', '')}`.trim()],
    facts: (p) => [['Warning', p.str('code')], ['Earliest expiration', p.str('earliest_expiration')], ['Checked at', p.str('occurred_at')]],
  },
  'monitor.rollover_complete': {
    subject: (p) => `key rollover complete: DS now ${p.list('ds_records').length === 1 ? 'names key ' : 'names keys '}${p.list('added').join(', ')}`,
    intro: (p) => [
      `Key monitoring saw the rollover of ${p.str('zone')} complete at ${p.str('occurred_at')}: the parent's DS set now follows the new KSK and the old key's DS was removed.`,
    ],
    facts: (p) => [['Added key tags', p.list('added').join(', ') || 'none'], ['Removed key tags', p.list('removed').join(', ') || 'none'], ...p.list('ds_records').map((d): Fact => ['DS record', d])],
  },
  'monitor.rrsig_expiring': {
    subject: (p) => `signatures at ${p.str('server')} expire soon (${p.str('expires_at')})`,
    intro: (p) => [
      `Key monitoring found that the DNSKEY signatures ${p.str('server')} serves for ${p.str('zone')} expire at ${p.str('expires_at')}, within the warning threshold. Resolvers will fail to validate the zone after that unless it is re-signed and the name server picks up the new version.`,
    ],
    facts: (p) => [['Name server', p.str('server')], ['Expires at', p.str('expires_at')], ['Checked at', p.str('occurred_at')]],
  },
  'monitor.child_key_error': {
    subject: (p) => `child key error: ${p.str('reason')}`,
    intro: (p) => [
      `Key monitoring could not confirm the keys of ${p.str('zone')} at ${p.str('occurred_at')}: ${p.str('reason')}. The DS records in the parent are left as they are until the name servers agree again.`,
    ],
    facts: (p) => [['Problem', p.str('reason')], ['Since', p.str('since')]],
  },
  'zone.status_changed': {
    subject: (p) => `signing status changed to ${p.str('to')}`,
    intro: (p) => {
      const to = p.str('to');
      const why = STATUS_DESCRIPTIONS[to];
      return [
        `The signing status of ${p.str('zone')} changed from ${p.str('from', 'none')} to ${to} at ${p.str('occurred_at')}${why ? `: ${why}` : ''}.`,
        ...(p.raw('alert') === true
          ? ['The last good signed zone keeps being served. The service retries automatically; please check the nameserver named below, its access lists and its TSIG key.']
          : []),
      ];
    },
    facts: (p) => [
      ['Status', p.str('to')],
      ['Previous status', p.str('from', 'none')],
      ['Changed at', p.str('occurred_at')],
      ['Reason', p.str('reason', 'not given')],
      ['Nameserver', p.str('server', 'not given')],
    ],
  },
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The e-mail for one outbox event. */
export function renderEmail(event: OutboxEvent, options: EmailTemplateOptions = {}): RenderedEmail {
  const product = options.product ?? 'Signet';
  const t = TEMPLATES[event.type];
  const p = new Reader(event.payload);
  const subject = `[${product}] ${event.zone}: ${t.subject(p)}`;
  const intro = t.intro(p);
  const facts: Fact[] = [['Zone', event.zone], ...t.facts(p)];
  const width = Math.max(...facts.map(([l]) => l.length));
  const footer = [
    `Event: ${event.type}`,
    `Delivery id: ${event.id}`,
    ...(options.helpAddress ? [`Questions: ${options.helpAddress}`] : []),
    'All times are UTC.',
  ];
  const text = [
    'Hello,',
    '',
    ...intro.flatMap((para) => [para, '']),
    ...facts.map(([l, v]) => `${`${l}:`.padEnd(width + 2)}${v}`),
    '',
    '-- ',
    `${product} signing service`,
    ...footer,
    '',
  ].join('\n');
  const html = [
    '<!doctype html><html><body>',
    '<p>Hello,</p>',
    ...intro.map((para) => `<p>${escapeHtml(para)}</p>`),
    '<table>',
    ...facts.map(([l, v]) => `<tr><th align="left">${escapeHtml(l)}</th><td><code>${escapeHtml(v)}</code></td></tr>`),
    '</table>',
    `<p><small>${footer.map(escapeHtml).join('<br>')}</small></p>`,
    '</body></html>',
    '',
  ].join('\n');
  return { subject, text, html };
}
