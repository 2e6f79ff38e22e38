import {
  isStoredStudentId,
  isValidStudentId,
  normalizeStudentId,
  STUDENT_ID_MAX_LENGTH,
  STUDENT_ID_PATTERN,
} from '../../src/students/student-id';

describe('normalizeStudentId', () => {
  it('trims and uppercases', () => {
    expect(normalizeStudentId('  ab123456 \t\n')).toBe('AB123456');
  });

  it('trims non-breaking spaces too', () => {
    expect(normalizeStudentId('\u00a0ab-1\u00a0')).toBe('AB-1');
  });

  it('keeps inner characters as they are', () => {
    expect(normalizeStudentId('ab 12_3-4')).toBe('AB 12_3-4');
  });

  it('gives the same id for Greek lowercase, Greek capitals and Latin letters', () => {
    expect(normalizeStudentId('αβ123456')).toBe('AB123456');
    expect(normalizeStudentId('ΑΒ123456')).toBe('AB123456');
    expect(normalizeStudentId('ab123456')).toBe('AB123456');
  });

  it('folds every Greek capital that looks like a Latin one', () => {
    expect(normalizeStudentId('ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ')).toBe('ABEZHIKMNOPTYX');
    expect(normalizeStudentId('αβεζηικμνορτυχ')).toBe('ABEZHIKMNOPTYX');
  });

  it('returns pure Latin, with no Greek code point left, after folding look-alikes', () => {
    const folded = normalizeStudentId('ΚΟΡ42');
    expect(folded).toBe('KOP42');
    expect([...folded].map((character) => character.codePointAt(0))).toEqual([0x4b, 0x4f, 0x50, 0x34, 0x32]);
  });

  it('leaves Greek letters without a Latin look-alike in Greek', () => {
    expect(normalizeStudentId('γδλ1')).toBe('ΓΔΛ1');
    expect(normalizeStudentId('ΓΔΛΣΦΨΩ')).toBe('ΓΔΛΣΦΨΩ');
    expect(normalizeStudentId('αγ')).toBe('AΓ');
  });

  it('does not fold an accented capital: ά uppercases to Ά, which stays Greek', () => {
    const normalized = normalizeStudentId('άβ1');
    expect(normalized).toBe('\u0386B1');
    expect(normalized).not.toBe('AB1');
  });

  it('is idempotent', () => {
    const once = normalizeStudentId(' αβγ-12_x ');
    expect(once).toBe('ABΓ-12_X');
    expect(normalizeStudentId(once)).toBe(once);
  });

  it('returns an empty string for blank input', () => {
    expect(normalizeStudentId('   ')).toBe('');
  });
});

describe('isValidStudentId', () => {
  it('has a maximum length of 50', () => {
    expect(STUDENT_ID_MAX_LENGTH).toBe(50);
  });

  it('accepts 50 characters and rejects 51', () => {
    expect(isValidStudentId('A'.repeat(50))).toBe(true);
    expect(isValidStudentId('A'.repeat(51))).toBe(false);
  });

  it('accepts a single character', () => {
    expect(isValidStudentId('7')).toBe(true);
  });

  it('accepts letters, digits, underscore and hyphen', () => {
    expect(isValidStudentId('AB_12-34')).toBe(true);
    expect(isValidStudentId('-_')).toBe(true);
  });

  it('accepts Greek letters', () => {
    expect(isValidStudentId('ΓΔΛ123')).toBe(true);
    expect(isValidStudentId('\u0386B1')).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['inner space', 'AB 123'],
    ['leading space', ' AB123'],
    ['exclamation mark', 'AB123!'],
    ['dot', 'AB.123'],
    ['slash', 'AB/123'],
    ['newline', 'AB123\n'],
    ['percent', '100%'],
  ])('rejects an id with %s', (_label, value) => {
    expect(isValidStudentId(value)).toBe(false);
  });

  it('uses a Unicode-aware pattern', () => {
    expect(STUDENT_ID_PATTERN.flags).toContain('u');
  });
});

describe('isStoredStudentId', () => {
  const samples = ['AB123456', 'A_1-2', 'ab123456', ' AB1', 'ΑΒ12', 'Ab', '', 'A'.repeat(STUDENT_ID_MAX_LENGTH), 'A'.repeat(STUDENT_ID_MAX_LENGTH + 1), 'A.1', 'ÅB'];

  it('answers yes only for ids that normalisation and validation give back unchanged', () => {
    for (const sample of samples) {
      if (isStoredStudentId(sample)) expect([normalizeStudentId(sample), isValidStudentId(sample)]).toEqual([sample, true]);
    }
    expect(samples.filter(isStoredStudentId)).toEqual(['AB123456', 'A_1-2', 'A'.repeat(STUDENT_ID_MAX_LENGTH)]);
  });
});
