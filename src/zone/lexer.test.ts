// Tokenizer: fields with line:column, comments, parentheses, quotes, escapes, owner detection, errors,
// and chunked input giving the same result as whole input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TextFormatError } from '../util/index.js';
import { END, NEED_MORE, ZoneLexer, lexZoneText, type LexedRecord } from './lexer.js';

function records(text: string): LexedRecord[] {
  return lexZoneText(text).map((r) => {
    if (r instanceof TextFormatError) throw r;
    return r;
  });
}
const texts = (r: LexedRecord): string[] => r.tokens.map((t) => t.text);
const where = (r: LexedRecord): string[] => r.tokens.map((t) => `${t.line}:${t.column}`);

test('fields carry line and column; blank and comment-only lines make no record', () => {
  const rs = records('a 3600 IN A 192.0.2.1 ; comment\n\n   ; only a comment\nb\tIN  TXT x\n');
  assert.equal(rs.length, 2);
  assert.deepEqual(texts(rs[0]!), ['a', '3600', 'IN', 'A', '192.0.2.1']);
  assert.deepEqual(where(rs[0]!), ['1:1', '1:3', '1:8', '1:11', '1:13']);
  assert.deepEqual(where(rs[1]!), ['4:1', '4:3', '4:7', '4:11']);
  assert.equal(rs[0]!.endLine, 1);
  assert.equal(rs[0]!.endColumn, 32);
});

test('a line starting with blanks has no owner (RFC 1035 §5.1)', () => {
  const rs = records('a A 192.0.2.1\n  A 192.0.2.2\n\tA 192.0.2.3\n');
  assert.deepEqual(rs.map((r) => r.hasOwner), [true, false, false]);
  assert.deepEqual(where(rs[2]!), ['3:2', '3:4']);
});

test('parentheses join lines; a newline inside them is a blank; comments inside are skipped', () => {
  const rs = records('@ SOA ns host (\n  1 ; serial\n  2 3\n  4 5 )\nnext A 1.2.3.4\n');
  assert.equal(rs.length, 2);
  assert.deepEqual(texts(rs[0]!), ['@', 'SOA', 'ns', 'host', '1', '2', '3', '4', '5']);
  assert.deepEqual(where(rs[0]!).slice(4), ['2:3', '3:3', '3:5', '4:3', '4:5']);
  assert.equal(rs[0]!.endLine, 4);
  assert.deepEqual(where(rs[1]!), ['5:1', '5:6', '5:8']);
});

test('quoted strings keep escapes raw, set quoted, and may hold blanks, ; and parentheses', () => {
  const rs = records('t TXT "a \\"b\\" ; (c)" "" x\\"y\n');
  const r = rs[0]!;
  assert.deepEqual(texts(r), ['t', 'TXT', 'a \\"b\\" ; (c)', '', 'x\\"y']);
  assert.deepEqual(r.tokens.map((t) => t.quoted), [false, false, true, true, false]);
  assert.deepEqual(where(r), ['1:1', '1:3', '1:7', '1:23', '1:26']);
});

test('backslash escapes blanks, parentheses and semicolons inside unquoted fields', () => {
  const rs = records('a\\ b\\(c\\)\\;d TXT e\\ f\\009g\n');
  assert.deepEqual(texts(rs[0]!), ['a\\ b\\(c\\)\\;d', 'TXT', 'e\\ f\\009g']);
});

test('a quote ends an unquoted field; CRLF line ends are accepted', () => {
  const rs = records('a TXT x"y z"\r\nb A 1.2.3.4\r\n');
  assert.deepEqual(texts(rs[0]!), ['a', 'TXT', 'x', 'y z']);
  assert.deepEqual(texts(rs[1]!), ['b', 'A', '1.2.3.4']);
});

test('")" without "(" is an error at its line and column, and lexing resumes on the next line', () => {
  const out = lexZoneText('ok A 1.2.3.4\nbad A 1.2.3.4 )\nafter A 1.2.3.5\n', 'z.db');
  assert.equal(out.length, 3);
  const e = out[1];
  assert.ok(e instanceof TextFormatError);
  assert.equal(e.file, 'z.db');
  assert.equal(e.line, 2);
  assert.equal(e.column, 15);
  assert.match(e.reason, /unbalanced parentheses/);
  assert.deepEqual(texts(out[2] as LexedRecord), ['after', 'A', '1.2.3.5']);
});

test('an unclosed "(" is reported at the "(" itself', () => {
  const out = lexZoneText('a A 1.2.3.4\n@ SOA ns host ( 1 2\n 3 4 5\n');
  const e = out[1];
  assert.ok(e instanceof TextFormatError);
  assert.equal(e.line, 2);
  assert.equal(e.column, 15);
});

test('an unterminated quote is reported at the opening quote, on a later line too', () => {
  const out = lexZoneText('a A 1.2.3.4\nt TXT "abc\nz A 1.2.3.4\n');
  const e = out[1];
  assert.ok(e instanceof TextFormatError);
  assert.equal(e.line, 2);
  assert.equal(e.column, 7);
  assert.match(e.reason, /unterminated quoted string/);
  assert.deepEqual(texts(out[2] as LexedRecord), ['z', 'A', '1.2.3.4']);
  const e2 = lexZoneText('t TXT ( "x" )\nu TXT "no end')[1];
  assert.ok(e2 instanceof TextFormatError);
  assert.equal(e2.line, 2);
  assert.equal(e2.column, 7);
});

test('the last record needs no final newline', () => {
  const rs = records('a A 1.2.3.4');
  assert.deepEqual(texts(rs[0]!), ['a', 'A', '1.2.3.4']);
  assert.equal(rs[0]!.endColumn, 12);
});

test('NEED_MORE until the input is finished, then END', () => {
  const lx = new ZoneLexer();
  lx.push('a A 1.2');
  assert.equal(lx.next(), NEED_MORE);
  lx.push('.3.4\nb (A');
  const r = lx.next();
  assert.ok(r !== NEED_MORE && r !== END && !(r instanceof TextFormatError));
  assert.deepEqual(texts(r), ['a', 'A', '1.2.3.4']);
  assert.equal(lx.next(), NEED_MORE);
  lx.push('\n 1.2.3.5)');
  assert.equal(lx.next(), NEED_MORE);
  lx.finish();
  const r2 = lx.next();
  assert.ok(r2 !== NEED_MORE && r2 !== END && !(r2 instanceof TextFormatError));
  assert.deepEqual(where(r2), ['2:1', '2:4', '3:2']);
  assert.equal(lx.next(), END);
});

test('property: any split into chunks lexes exactly like the whole text', () => {
  const piece = fc.constantFrom('a', 'b.c', ' ', '\t', '\n', '(', ')', '"', '\\', ';', 'x y', '"q r"', '\\"', '1h', '\r\n', '$TTL');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), fc.array(fc.nat(200), { maxLength: 6 }), (parts, cuts) => {
      const text = parts.join('');
      const whole = JSON.stringify(lexZoneText(text));
      const lx = new ZoneLexer();
      const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((x, y) => x - y);
      const chunks: string[] = [];
      let prev = 0;
      for (const p of points) {
        chunks.push(text.slice(prev, p));
        prev = p;
      }
      chunks.push(text.slice(prev));
      const out: unknown[] = [];
      for (const c of chunks) {
        lx.push(c);
        for (let r = lx.next(); r !== NEED_MORE && r !== END; r = lx.next()) out.push(r);
      }
      lx.finish();
      for (let r = lx.next(); r !== NEED_MORE && r !== END; r = lx.next()) out.push(r);
      assert.equal(JSON.stringify(out), whole);
    }),
    { numRuns: 500 },
  );
});
