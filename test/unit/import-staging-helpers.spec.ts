import { CopyLines } from '../../src/imports/copy-text';
import { RepeatedValues } from '../../src/imports/repeated-values';

describe('RepeatedValues', () => {
  it('says a value repeats only from its second appearance on', () => {
    const values = new RepeatedValues();
    expect(values.repeats('B00000001')).toBe(false);
    expect(values.repeats('B00000002')).toBe(false);
    expect(values.repeats('B00000001')).toBe(true);
    expect(values.repeats('B00000001')).toBe(true);
    expect(values.distinct).toBe(2);
  });

  it('tells apart values that differ in one character, in case, in length or in script', () => {
    const values = new RepeatedValues();
    const distinct = ['', 'a', 'A', 'aa', 'ab', 'ba', 'Μαρία', 'Μαρια', 'maria@school.example', 'maria@school.exampl', 'Α1', 'A1'];
    expect(distinct.map((value) => values.repeats(value))).toEqual(distinct.map(() => false));
    expect(distinct.map((value) => values.repeats(value))).toEqual(distinct.map(() => true));
  });

  it('keeps every value while it grows far past its first capacity, with about as few false repeats as an ideal 32-bit hash', () => {
    const values = new RepeatedValues(16);
    const count = 100_000;
    let repeatedOnFirstSight = 0;
    for (let index = 0; index < count; index += 1) if (values.repeats(`student${index}@bench.example`)) repeatedOnFirstSight += 1;
    let foundAgain = 0;
    for (let index = 0; index < count; index += 1) if (values.repeats(`student${index}@bench.example`)) foundAgain += 1;
    // 32-bit hashes of 100 000 distinct values collide about n² / 2³³ ≈ 1.2 times: a value whose hash
    // an earlier one took is "maybe seen" (PostgreSQL then compares it) and is not counted again.
    expect(repeatedOnFirstSight).toBeLessThan(10);
    expect(foundAgain).toBe(count);
    expect(values.distinct).toBe(count - repeatedOnFirstSight);
  });
});

describe('CopyLines', () => {
  it('gives back exactly the UTF-8 bytes of the lines pushed since the last take', () => {
    const lines = new CopyLines();
    lines.push('1\tΜαρία\tΠαπαδοπούλου\n');
    lines.push('2\tJohn\t\\N\n');
    expect(lines.take().toString('utf8')).toBe('1\tΜαρία\tΠαπαδοπούλου\n2\tJohn\t\\N\n');
    lines.push('3\tΕλένη 😀\n');
    expect(lines.take().toString('utf8')).toBe('3\tΕλένη 😀\n');
    expect(lines.take().length).toBe(0);
  });

  it('keeps bytes already taken intact while later lines fill new blocks', () => {
    const lines = new CopyLines();
    const line = `${'Γ'.repeat(1000)}\n`;
    const taken: Buffer[] = [];
    for (let round = 0; round < 20; round += 1) {
      for (let index = 0; index < 500; index += 1) lines.push(line);
      taken.push(lines.take());
    }
    // 20 takes of 500 lines of 2001 bytes: more than two 4 MB blocks.
    for (const chunk of taken) expect(chunk.toString('utf8')).toBe(line.repeat(500));
  });

  it('ends each line of pushLine with one line feed, across blocks', () => {
    const lines = new CopyLines();
    const line = 'Γ'.repeat(1000);
    for (let index = 0; index < 3000; index += 1) lines.pushLine(line);
    // 3000 lines of 2001 bytes: more than one 4 MB block.
    expect(lines.take().toString('utf8')).toBe(`${line}\n`.repeat(3000));
  });

  it('takes a line longer than a block whole', () => {
    const lines = new CopyLines();
    lines.push('first\n');
    const long = `${'ω'.repeat(3 * 1024 * 1024)}\n`;
    lines.push(long);
    lines.push('last\n');
    expect(lines.take().toString('utf8')).toBe(`first\n${long}last\n`);
  });
});
