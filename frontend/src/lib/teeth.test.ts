import { describe, expect, it } from 'vitest';
import {
  fdiToUniversal,
  formatSurfaces,
  mouthRows,
  PERMANENT_TEETH,
  PRIMARY_TEETH,
  surfacesFor,
  toothInfo,
  toothLabel,
  universalToFdi,
} from './teeth';

// Written out by hand (not computed) so a mistake in the code cannot hide in the test.
const TABLE: [string, string][] = [
  ['1', '18'], ['2', '17'], ['3', '16'], ['4', '15'], ['5', '14'], ['6', '13'], ['7', '12'], ['8', '11'],
  ['9', '21'], ['10', '22'], ['11', '23'], ['12', '24'], ['13', '25'], ['14', '26'], ['15', '27'], ['16', '28'],
  ['17', '38'], ['18', '37'], ['19', '36'], ['20', '35'], ['21', '34'], ['22', '33'], ['23', '32'], ['24', '31'],
  ['25', '41'], ['26', '42'], ['27', '43'], ['28', '44'], ['29', '45'], ['30', '46'], ['31', '47'], ['32', '48'],
  ['A', '55'], ['B', '54'], ['C', '53'], ['D', '52'], ['E', '51'],
  ['F', '61'], ['G', '62'], ['H', '63'], ['I', '64'], ['J', '65'],
  ['K', '75'], ['L', '74'], ['M', '73'], ['N', '72'], ['O', '71'],
  ['P', '81'], ['Q', '82'], ['R', '83'], ['S', '84'], ['T', '85'],
];

describe('Universal ↔ FDI', () => {
  it('covers all 52 teeth', () => {
    expect(TABLE).toHaveLength(52);
    expect(new Set(TABLE.map(([u]) => u))).toEqual(new Set([...PERMANENT_TEETH, ...PRIMARY_TEETH]));
  });

  it.each(TABLE)('Universal %s is FDI %s', (universal, fdi) => {
    expect(universalToFdi(universal)).toBe(fdi);
    expect(toothInfo(universal)?.fdi).toBe(fdi);
  });

  it.each(TABLE)('FDI of Universal %s (%s) converts back', (universal, fdi) => {
    expect(fdiToUniversal(fdi)).toBe(universal);
  });

  it('answers undefined for what is no tooth', () => {
    for (const bad of ['0', '33', 'U', '19a', '', '10.0']) expect(universalToFdi(bad)).toBeUndefined();
    for (const bad of ['10', '19', '49', '56', '66', '76', '86', '91', '1']) expect(fdiToUniversal(bad)).toBeUndefined();
  });

  it('accepts lower-case primary letters', () => {
    expect(universalToFdi('a')).toBe('55');
  });

  it('labels by the clinic numbering', () => {
    expect(toothLabel('3', 'universal')).toBe('3');
    expect(toothLabel('3', 'fdi')).toBe('16');
    expect(toothLabel('K', 'fdi')).toBe('75');
  });
});

describe('tooth names and types', () => {
  it.each([
    ['1', 'upper right third molar', false],
    ['3', 'upper right first molar', false],
    ['6', 'upper right canine', true],
    ['8', 'upper right central incisor', true],
    ['9', 'upper left central incisor', true],
    ['12', 'upper left first premolar', false],
    ['17', 'lower left third molar', false],
    ['23', 'lower left lateral incisor', true],
    ['25', 'lower right central incisor', true],
    ['30', 'lower right first molar', false],
    ['A', 'upper right primary second molar', false],
    ['C', 'upper right primary canine', true],
    ['E', 'upper right primary central incisor', true],
    ['J', 'upper left primary second molar', false],
    ['K', 'lower left primary second molar', false],
    ['T', 'lower right primary second molar', false],
  ])('%s is the %s', (tooth, name, anterior) => {
    const info = toothInfo(tooth)!;
    expect(info.name).toBe(name);
    expect(info.anterior).toBe(anterior);
  });
});

describe('surfaces', () => {
  it('anteriors have M D F L I', () => {
    for (const t of ['6', '7', '8', '9', '10', '11', '22', '23', '24', '25', '26', '27', 'C', 'D', 'E', 'F', 'G', 'H', 'M', 'N', 'O', 'P', 'Q', 'R']) {
      expect(surfacesFor(t)).toEqual(['M', 'D', 'F', 'L', 'I']);
    }
  });

  it('posteriors have M O D B L', () => {
    for (const t of ['1', '2', '3', '4', '5', '12', '13', '14', '15', '16', '17', '21', '28', '32', 'A', 'B', 'I', 'J', 'K', 'L', 'S', 'T']) {
      expect(surfacesFor(t)).toEqual(['M', 'O', 'D', 'B', 'L']);
    }
  });

  it('every tooth is either', () => {
    const anteriors = [...PERMANENT_TEETH, ...PRIMARY_TEETH].filter((t) => toothInfo(t)!.anterior);
    expect(anteriors).toHaveLength(12 + 12);
  });

  it('no tooth, no surfaces', () => {
    expect(surfacesFor('40')).toEqual([]);
  });

  it('writes surfaces in the usual order', () => {
    expect(formatSurfaces(['D', 'O', 'M'])).toBe('MOD');
    expect(formatSurfaces(['L', 'I', 'F'])).toBe('IFL');
  });
});

describe('mouthRows', () => {
  it('draws each lower tooth under its upper counterpart', () => {
    const { upper, lower } = mouthRows('permanent');
    expect(upper[0]).toBe('1');
    expect(lower[0]).toBe('32');
    expect(upper[15]).toBe('16');
    expect(lower[15]).toBe('17');
    const primary = mouthRows('primary');
    expect(primary.upper.join('')).toBe('ABCDEFGHIJ');
    expect(primary.lower.join('')).toBe('TSRQPONMLK');
  });
});
